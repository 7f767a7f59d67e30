package incus

import (
	"os"
	"sync"

	"github.com/lxc/incus/v6/shared/logger"
)

// quietClientLog replaces the Incus client's package logger with one that
// does nothing. Its default already discards every line (a logrus logger
// writing to io.Discard), yet each request still built the fields of two
// debug lines first; clustergate logs its upstream calls itself.
var quietClientLog = sync.OnceFunc(func() { logger.Log = silent{} })

// silent is a logger.Logger that drops everything without formatting it;
// Panic and Fatal still end the call or the process, as logrus's do.
type silent struct{}

func (silent) Panic(msg string, _ ...logger.Ctx)     { panic(msg) }
func (silent) Fatal(string, ...logger.Ctx)           { os.Exit(1) }
func (silent) Error(string, ...logger.Ctx)           {}
func (silent) Warn(string, ...logger.Ctx)            {}
func (silent) Info(string, ...logger.Ctx)            {}
func (silent) Debug(string, ...logger.Ctx)           {}
func (silent) Trace(string, ...logger.Ctx)           {}
func (s silent) AddContext(logger.Ctx) logger.Logger { return s }
