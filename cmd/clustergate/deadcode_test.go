package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestLinkerDropsUnusedMethods guards the binary's size and idle RSS (issue
// 13): once any reachable function calls reflect's Method or MethodByName
// with a name not known at compile time (text/template's executor does,
// which cobra links when given a usage or version template), the linker
// keeps every exported method of every type that reaches an interface. In
// clustergate that is mostly the generated code of the k8s.io/api groups:
// 11 MB of binary and 4 to 6 MB of idle RSS. The linker's dependency dump
// marks such functions <ReflectMethod>; the only acceptable ones are
// reflect's own, which the linker lets through.
func TestLinkerDropsUnusedMethods(t *testing.T) {
	if testing.Short() {
		t.Skip("links the binary")
	}
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -dumpdep",
		"-o", filepath.Join(t.TempDir(), "clustergate"), ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go build -ldflags=-dumpdep: %v\n%.2000s", err, out)
	}
	marked := regexp.MustCompile(`(?m)^(\S+) <ReflectMethod>`)
	seen := map[string]bool{}
	for _, m := range marked.FindAllSubmatch(out, -1) {
		if fn := string(m[1]); !strings.HasPrefix(fn, "reflect.") {
			seen[fn] = true
		}
	}
	if len(seen) > 0 {
		fns := make([]string, 0, len(seen))
		for fn := range seen {
			fns = append(fns, fn)
		}
		sort.Strings(fns)
		t.Errorf("reachable functions call reflect Method/MethodByName by a computed name, so the linker keeps every "+
			"exported method (see `go build -ldflags=-dumpdep ./cmd/clustergate 2>&1 | grep -B3 <ReflectMethod>` for who "+
			"reaches them): %v", fns)
	}
}
