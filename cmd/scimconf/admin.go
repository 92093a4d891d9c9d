package main

import (
	"context"
	"fmt"
	"io"
)

func runAdmin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return fmt.Errorf("not available yet")
}
