package main

import (
	"bytes"

	"golang.org/x/mod/semver"
)

func validVersion(v string) bool {
	return semver.IsValid("v"+v) && semver.Canonical("v"+v) == "v"+v && semver.Prerelease("v"+v) == ""
}

func trim(b []byte) []byte { return bytes.TrimSpace(b) }
