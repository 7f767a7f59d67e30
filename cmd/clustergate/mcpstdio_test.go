package main

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSpareProcGivesOneMoreAndRestores: the background build runs with
// GOMAXPROCS one above its setting, which then goes back to what it was.
func TestSpareProcGivesOneMoreAndRestores(t *testing.T) {
	t.Run("default", func(t *testing.T) {
		t.Setenv("GOMAXPROCS", "")
		runtime.SetDefaultGOMAXPROCS()
		before := runtime.GOMAXPROCS(0)
		restore := spareProc()
		assert.Equal(t, before+1, runtime.GOMAXPROCS(0))
		restore()
		assert.Equal(t, before, runtime.GOMAXPROCS(0))
	})
	t.Run("set by the operator", func(t *testing.T) {
		t.Setenv("GOMAXPROCS", "3")
		prev := runtime.GOMAXPROCS(3)
		defer runtime.GOMAXPROCS(prev)
		restore := spareProc()
		assert.Equal(t, 4, runtime.GOMAXPROCS(0))
		restore()
		assert.Equal(t, 3, runtime.GOMAXPROCS(0))
	})
}
