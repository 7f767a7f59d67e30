package vocab

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClassOfUsesHintsThenTheMethod(t *testing.T) {
	cases := []struct {
		method string
		hints  *Hints
		want   Class
	}{
		{"GET", nil, Read},
		{"HEAD", nil, Read},
		{"get", nil, Read},
		{"DELETE", nil, Destructive},
		{"POST", nil, Write},
		{"PUT", nil, Write},
		{"PATCH", nil, Write},
		{"GET", &Hints{}, Write}, // a tool that does not say read-only writes
		{"POST", &Hints{ReadOnly: true}, Read},
		{"POST", &Hints{Destructive: true}, Destructive},
		{"GET", &Hints{ReadOnly: true, Destructive: true}, Destructive},
		{"DELETE", &Hints{Idempotent: true}, Write},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, ClassOf(c.method, c.hints), "%s %+v", c.method, c.hints)
	}
}

func TestRoleRule(t *testing.T) {
	assert.Equal(t, Viewer, Safety{Class: Read}.Role())
	assert.Equal(t, Admin, Safety{Class: Read, Sensitive: true}.Role())
	assert.Equal(t, Operator, Safety{Class: Write}.Role())
	assert.Equal(t, Admin, Safety{Class: Write, Sensitive: true}.Role())
	assert.Equal(t, Admin, Safety{Class: Destructive}.Role())
	assert.False(t, Safety{Class: Read}.Audited())
	assert.True(t, Safety{Class: Read, Sensitive: true}.Audited())
	assert.True(t, Safety{Class: Write}.Audited())
	assert.Equal(t, "destructive, sensitive", Safety{Class: Destructive, Sensitive: true}.String())
}

func TestRoles(t *testing.T) {
	assert.Equal(t, []Role{"viewer", "operator", "admin"}, Roles)
	for _, c := range []struct {
		have, need Role
		ok         bool
	}{
		{Viewer, Viewer, true}, {Viewer, Operator, false}, {Viewer, Admin, false},
		{Operator, Viewer, true}, {Operator, Operator, true}, {Operator, Admin, false},
		{Admin, Viewer, true}, {Admin, Admin, true},
		{"root", Viewer, false}, {Admin, "root", false},
	} {
		assert.Equal(t, c.ok, c.have.Allows(c.need), "%s allows %s", c.have, c.need)
	}
	r, err := ParseRole(" operator ")
	require.NoError(t, err)
	assert.Equal(t, Operator, r)
	_, err = ParseRole("Admin")
	assert.EqualError(t, err, `unknown role "Admin" (viewer, operator, admin)`)
}

func TestParseClass(t *testing.T) {
	for _, c := range []string{"read", "write", "destructive"} {
		got, err := ParseClass(c)
		require.NoError(t, err)
		assert.Equal(t, Class(c), got)
	}
	_, err := ParseClass("")
	assert.Error(t, err)
	_, err = ParseClass("sensitive")
	assert.Error(t, err, "sensitivity is not a class: it is x-sensitive")
}
