// Command apidiff reports and gates changes to the /v1 contract (the facade
// specs and the MCP tools derived from them). The Makefile's api-diff,
// check-api, release-api and bump targets call it; see internal/apidiff.
//
//	apidiff diff [-base REF]              every change from REF (default HEAD) to the working tree
//	apidiff check                         fail on unacknowledged breaking changes against the baseline
//	apidiff release -version x.y.z        make the current specs the baseline, append to the changelog
//	apidiff pin SURFACE VERSION           set a surface's upstream pin; prints the old version
//	apidiff upstream SURFACE FROM TO      the upstream spec's own diff, restricted to the consumed operations
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/clustergate/clustergate/internal/apidiff"
	"github.com/clustergate/clustergate/internal/specgen"
)

const (
	pinsPath  = "openapi/pins.yaml"
	baseline  = "openapi/baseline"
	acksPath  = "openapi/breaking-changes.yaml"
	changelog = "docs/API-CHANGELOG.md"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cmds := map[string]func([]string) error{
		"diff": diffCmd, "check": checkCmd, "release": releaseCmd, "pin": pinCmd, "upstream": upstreamCmd,
	}
	run, ok := cmds[os.Args[1]]
	if !ok {
		usage()
	}
	if err := run(os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "apidiff:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: apidiff diff [-base REF] | check | release -version x.y.z | pin SURFACE VERSION | upstream SURFACE FROM TO")
	os.Exit(2)
}

func diffCmd(args []string) error {
	fs := flag.NewFlagSet("diff", flag.ExitOnError)
	base := fs.String("base", "HEAD", "git revision to compare the working tree with")
	_ = fs.Parse(args)
	from, err := apidiff.FromGit(*base, pinsPath)
	if err != nil {
		return err
	}
	to, err := apidiff.FromTree(pinsPath)
	if err != nil {
		return err
	}
	r, err := apidiff.Compare(from, to)
	if err != nil {
		return err
	}
	fmt.Printf("api-diff: the /v1 contract, %s -> working tree: ", *base)
	r.Write(os.Stdout)
	return nil
}

// verdict compares the working tree with the released baseline.
func verdict(first bool) (apidiff.Verdict, apidiff.Specs, string, error) {
	var v apidiff.Verdict
	released, err := apidiff.FromDir(baseline)
	if err != nil {
		return v, nil, "", err
	}
	if len(released) == 0 && !first {
		return v, nil, "", fmt.Errorf("no released contract in %s: record one with `make release-api VERSION=x.y.z`", baseline)
	}
	version := "the baseline (none released yet)"
	if b, err := os.ReadFile(baseline + "/" + apidiff.VersionFile); err == nil {
		version = "the released contract " + string(trim(b)) + " (" + baseline + ")"
	}
	current, err := apidiff.FromTree(pinsPath)
	if err != nil {
		return v, nil, "", err
	}
	r, err := apidiff.Compare(released, current)
	if err != nil {
		return v, nil, "", err
	}
	acks, err := apidiff.LoadAcks(acksPath)
	if err != nil {
		return v, nil, "", err
	}
	return apidiff.Gate(r, acks), current, version, nil
}

func checkCmd(args []string) error {
	if len(args) > 0 {
		usage()
	}
	v, _, against, err := verdict(false)
	if err != nil {
		return err
	}
	v.Write(os.Stdout, against)
	if !v.OK() {
		os.Exit(1)
	}
	return nil
}

func releaseCmd(args []string) error {
	fs := flag.NewFlagSet("release", flag.ExitOnError)
	version := fs.String("version", "", "the release, x.y.z")
	_ = fs.Parse(args)
	if !validVersion(*version) {
		return fmt.Errorf("-version must be x.y.z, not %q", *version)
	}
	v, current, against, err := verdict(true)
	if err != nil {
		return err
	}
	v.Write(os.Stdout, against)
	if err := apidiff.Release(*version, baseline, changelog, current, v); err != nil {
		return err
	}
	fmt.Printf("release-api: %s is now the baseline (%s); %s has its entry\n", *version, baseline, changelog)
	return nil
}

func pinCmd(args []string) error {
	if len(args) != 2 {
		usage()
	}
	old, err := specgen.SetPin(pinsPath, args[0], args[1])
	if err != nil {
		return err
	}
	fmt.Println(old)
	return nil
}

func upstreamCmd(args []string) error {
	if len(args) != 3 {
		usage()
	}
	surface, from, to := args[0], args[1], args[2]
	a, err := specgen.UpstreamSubset(pinsPath, surface, from)
	if err != nil {
		return err
	}
	b, err := specgen.UpstreamSubset(pinsPath, surface, to)
	if err != nil {
		return err
	}
	r, err := apidiff.CompareUpstream(surface, a, b)
	if err != nil {
		return err
	}
	fmt.Printf("upstream %s, %s -> %s, the operations clustergate consumes: ", surface, from, to)
	r.Write(os.Stdout)
	return nil
}
