package dnsmock

import (
	"context"
	"log/slog"
	"maps"
	"slices"
)

// Run serves records (name -> TXT values, as for [Server.SetTXT]) on addr,
// UDP and TCP, until ctx is done; it is the body of `scimconf dns`. It logs
// the bound address once serving, and each query at debug level. It returns
// an error if a record is refused or the address cannot be bound, and nil
// after a clean stop. log may be nil.
func Run(ctx context.Context, addr string, records map[string][]string, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := New()
	s.Log = log
	// Sorted, so the same bad input always reports the same name.
	for _, name := range slices.Sorted(maps.Keys(records)) {
		if err := s.SetTXT(name, records[name]...); err != nil {
			return err
		}
	}
	if err := s.Start(ctx, addr); err != nil {
		return err
	}
	bound := s.Addr()
	log.Info("dns mock serving", "addr", bound, "transports", "udp,tcp", "records", len(records))
	<-ctx.Done()
	err := s.Close()
	log.Info("dns mock stopped", "addr", bound)
	return err
}
