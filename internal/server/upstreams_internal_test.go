package server

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func up(name string, ready, required bool) Named {
	return Named{Name: name, Backend: BackendUpstream, Required: required,
		Configured: func() (bool, string) { return true, "test" },
		Ready: func(context.Context) error {
			if ready {
				return nil
			}
			return errors.New("down")
		}}
}

// TestReadinessRulePerSurface: with no upstream marked required, one ready
// upstream per configured surface is enough; an upstream marked required
// must be ready itself.
func TestReadinessRulePerSurface(t *testing.T) {
	cases := []struct {
		name  string
		named []Named
		ready bool
	}{
		{"one of two down, none required", []Named{up("east", true, false), up("west", false, false)}, true},
		{"both down", []Named{up("east", false, false), up("west", false, false)}, false},
		{"the required one down", []Named{up("east", true, false), up("west", false, true)}, false},
		{"the required one up, another down", []Named{up("east", true, true), up("west", false, false)}, true},
	}
	for _, tc := range cases {
		entries := readyEntries([]Surface{{Name: "incus-cluster", Upstream: "incus", Named: tc.named}})
		states := map[string]upstreamState{}
		for _, en := range entries {
			states[en.key] = readiness(context.Background(), en.s)
		}
		assert.Contains(t, states, "incus/west", tc.name)
		ready, serving := surfacesReady(entries, states)
		assert.True(t, serving, tc.name)
		assert.Equal(t, tc.ready, ready, tc.name)
	}
}
