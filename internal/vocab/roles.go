package vocab

import (
	"fmt"
	"strings"
)

// Role is what a caller may do.
type Role string

// The roles, from least to most trusted.
const (
	Viewer   Role = "viewer"
	Operator Role = "operator"
	Admin    Role = "admin"
)

// Roles lists every role, least trusted first.
var Roles = []Role{Viewer, Operator, Admin}

// ParseRole reads a role name; the error lists the roles.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == strings.TrimSpace(s) {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q (%s)", s, roleList())
}

// Allows says whether role r may do what needs role need.
func (r Role) Allows(need Role) bool { return r.rank() >= need.rank() && need.rank() > 0 }

func (r Role) rank() int {
	for i, x := range Roles {
		if x == r {
			return i + 1
		}
	}
	return 0
}

func roleList() string {
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}
