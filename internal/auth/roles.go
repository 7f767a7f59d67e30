package auth

// Roles lists the roles from least to most trusted.
var Roles = []Role{Viewer, Operator, Admin}

// Valid says whether r is one of Roles.
func (r Role) Valid() bool { return rank[r] > 0 }

// Highest returns the more trusted of a and b ("" counts as no role).
func Highest(a, b Role) Role {
	if rank[b] > rank[a] {
		return b
	}
	return a
}
