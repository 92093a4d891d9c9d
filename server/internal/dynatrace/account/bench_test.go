package account_test

import (
	"testing"

	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
)

func BenchmarkAuthenticate(b *testing.B) {
	e := newEnv(b)
	var value string
	for range 100 { // a registry with some accounts and tokens in it
		a := e.verifiedAccount(b)
		for range account.MaxTokens {
			_, v, err := a.GenerateToken("")
			if err != nil {
				b.Fatal(err)
			}
			value = v
		}
	}
	b.ReportAllocs()
	b.Run("valid", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.reg.Authenticate(value); err != nil {
				b.Fatal(err)
			}
		}
	})
	wrong := value[:len(value)-1] + "Z"
	if wrong == value {
		wrong = value[:len(value)-1] + "Y"
	}
	b.Run("unknown", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.reg.Authenticate(wrong); err == nil {
				b.Fatal("accepted")
			}
		}
	})
	b.Run("malformed", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.reg.Authenticate("Bearer nonsense"); err == nil {
				b.Fatal("accepted")
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := e.reg.Authenticate(value); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

func BenchmarkIsVerified(b *testing.B) {
	a := newEnv(b).verifiedAccount(b)
	b.ReportAllocs()
	for b.Loop() {
		if !a.IsVerified("Example.com") {
			b.Fatal("not verified")
		}
	}
}
