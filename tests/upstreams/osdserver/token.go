package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/libopenstorage/openstorage/pkg/auth"
)

// mintTokenMain implements `osdserver mint-token`: it signs a JWT with the
// openstorage auth package exactly as openstorage's own token generator does,
// so tests can obtain admin and non-admin tokens for an instance started with
// --jwt-shared-secret/--jwt-issuer.
func mintTokenMain(args []string) int {
	fs := flag.NewFlagSet("mint-token", flag.ContinueOnError)
	secret := fs.String("secret", "", "shared secret (same as the server's --jwt-shared-secret); required")
	issuer := fs.String("issuer", defaultJWTIssuer, "token issuer (same as the server's --jwt-issuer)")
	subject := fs.String("subject", "admin", "sub claim (the username by default)")
	name := fs.String("name", "", "name claim (defaults to --subject)")
	email := fs.String("email", "", "email claim (defaults to <subject>@example.com)")
	roles := fs.String("roles", "system.admin", "comma separated roles claim (e.g. system.admin, system.user, system.view)")
	groups := fs.String("groups", "*", `comma separated groups claim; "*" makes the user an admin for GetToken; empty = no groups claim`)
	ttl := fs.Duration("ttl", 24*time.Hour, "token lifetime")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *secret == "" {
		fmt.Fprintln(os.Stderr, "mint-token: --secret is required")
		return 2
	}
	if *name == "" {
		*name = *subject
	}
	if *email == "" {
		*email = *subject + "@example.com"
	}
	claims := &auth.Claims{
		Issuer:  *issuer,
		Subject: *subject,
		Name:    *name,
		Email:   *email,
		Roles:   splitList(*roles),
		Groups:  splitList(*groups),
	}
	sig, err := auth.NewSignatureSharedSecret(*secret)
	if err != nil {
		fmt.Fprintf(os.Stderr, "mint-token: %v\n", err)
		return 1
	}
	tok, err := auth.Token(claims, sig, &auth.Options{
		Expiration:  time.Now().Add(*ttl).Unix(),
		IATSubtract: time.Minute,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "mint-token: %v\n", err)
		return 1
	}
	fmt.Println(tok)
	return 0
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
