package audit

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// ReopenOnHangup reopens the log on every SIGHUP until ctx ends, so
// logrotate can move the file and signal clustergate.
func (l *Log) ReopenOnHangup(ctx context.Context, log *slog.Logger) {
	if l == nil || l.f == nil {
		return
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				if err := l.Reopen(); err != nil {
					log.Error("audit log: reopen failed; still writing to the previous file", "error", err)
					continue
				}
				log.Info("audit log reopened", "path", l.path)
			}
		}
	}()
}
