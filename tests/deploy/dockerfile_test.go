package deploy

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/tests/deploy/helmtest"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	Cmd  string // upper case: FROM, RUN, …
	Args string
	Line int
}

type stage struct {
	Base, Name string
	Steps      []instruction
}

// parseDockerfile reads instructions and splits them into build stages.
// It handles comments, parser directives, `\` continuations and heredoc-free
// Dockerfiles (this one has none).
func parseDockerfile(t *testing.T, path string) (args []instruction, stages []stage) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var (
		cur     strings.Builder
		start   int
		lineNo  int
		pending bool
	)
	flush := func() {
		text := strings.TrimSpace(cur.String())
		cur.Reset()
		pending = false
		if text == "" {
			return
		}
		cmd, rest, _ := strings.Cut(text, " ")
		in := instruction{Cmd: strings.ToUpper(cmd), Args: strings.TrimSpace(rest), Line: start}
		require.NotContains(t, in.Args, "<<", "line %d: heredocs are not parsed by this test", in.Line)
		switch {
		case in.Cmd == "FROM":
			f := strings.Fields(in.Args)
			var st stage
			for i := 0; i < len(f); i++ {
				switch {
				case strings.HasPrefix(f[i], "--"):
				case strings.EqualFold(f[i], "AS") && i+1 < len(f):
					st.Name = f[i+1]
					i++
				case st.Base == "":
					st.Base = f[i]
				}
			}
			stages = append(stages, st)
		case len(stages) == 0:
			require.Equal(t, "ARG", in.Cmd, "line %d: only ARG may precede the first FROM", in.Line)
			args = append(args, in)
		default:
			stages[len(stages)-1].Steps = append(stages[len(stages)-1].Steps, in)
		}
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && !pending) {
			continue // comments (directives included) and blank lines
		}
		if !pending {
			start = lineNo
		}
		if s, ok := strings.CutSuffix(strings.TrimRight(line, " \t"), `\`); ok {
			cur.WriteString(s + " ")
			pending = true
			continue
		}
		cur.WriteString(line)
		flush()
	}
	require.NoError(t, sc.Err())
	require.False(t, pending, "Dockerfile ends inside a continued line")
	return args, stages
}

// expandArgs replaces ${NAME} and $NAME with ARG defaults.
func expandArgs(s string, args []instruction) string {
	defaults := map[string]string{}
	for _, a := range args {
		k, v, _ := strings.Cut(a.Args, "=")
		defaults[k] = v
	}
	return os.Expand(s, func(k string) string { return defaults[k] })
}

func TestDockerfile(t *testing.T) {
	root := helmtest.RepoRoot(t)
	globalArgs, stages := parseDockerfile(t, filepath.Join(root, "Dockerfile"))

	require.GreaterOrEqual(t, len(stages), 2, "multi-stage build: a builder and a runtime stage")

	// The builder: Go from the official image, a static, trimmed, versioned build of ./cmd/clustergate.
	var builder *stage
	var build instruction
	goBuild := regexp.MustCompile(`(^|[\s;&|])go\s+build\s`)
	for i := range stages[:len(stages)-1] {
		for _, in := range stages[i].Steps {
			if in.Cmd == "RUN" && goBuild.MatchString(in.Args) {
				builder, build = &stages[i], in
			}
		}
	}
	require.NotNil(t, builder, "no stage runs `go build`")
	assert.Regexp(t, `^golang:1\.26([.-]|$)`, expandArgs(builder.Base, globalArgs), "builder image")
	assert.NotEmpty(t, builder.Name, "the builder stage is named (FROM … AS name)")

	cgoOff := regexp.MustCompile(`(^|\s)CGO_ENABLED=0(\s|$)`)
	envCGO := false
	for _, in := range builder.Steps {
		if in.Cmd == "ENV" && cgoOff.MatchString(in.Args) {
			envCGO = true
		}
	}
	assert.True(t, envCGO || cgoOff.MatchString(build.Args), "line %d: the build runs with CGO_ENABLED=0: %s", build.Line, build.Args)
	assert.Contains(t, strings.Fields(build.Args), "-trimpath", "line %d", build.Line)
	assert.Regexp(t, `(^|\s)\./cmd/clustergate(\s|$)`, build.Args, "line %d builds ./cmd/clustergate", build.Line)
	assert.Regexp(t, `-ldflags\s+["']-s -w -X main\.version=\$\{?VERSION\}?["']`, build.Args,
		"line %d: the Makefile's ldflags, version from the VERSION build arg", build.Line)
	out := regexp.MustCompile(`-o\s+(\S+)`).FindStringSubmatch(build.Args)
	require.NotNil(t, out, "line %d: the build names its output (-o)", build.Line)
	hasVersionArg := false
	for _, in := range builder.Steps {
		if in.Cmd == "ARG" && (in.Args == "VERSION" || strings.HasPrefix(in.Args, "VERSION=")) {
			hasVersionArg = true
		}
	}
	assert.True(t, hasVersionArg, "ARG VERSION in the builder stage")

	// The runtime: distroless static or scratch, the binary only, non-root.
	final := stages[len(stages)-1]
	base := expandArgs(final.Base, globalArgs)
	assert.Regexp(t, `^(gcr\.io/distroless/static(-debian\d+)?(:[\w.-]+)?(@sha256:[0-9a-f]{64})?|scratch)$`, base,
		"the runtime stage is distroless/static or scratch")
	var (
		user, entrypoint string
		exposed          []string
		copied           bool
	)
	for _, in := range final.Steps {
		switch in.Cmd {
		case "USER":
			user = in.Args
		case "EXPOSE":
			exposed = append(exposed, strings.Fields(in.Args)...)
		case "ENTRYPOINT":
			entrypoint = in.Args
		case "COPY":
			if strings.Contains(in.Args, "--from="+builder.Name+" ") && strings.Contains(in.Args, out[1]) {
				copied = true
			}
		case "RUN":
			t.Errorf("line %d: the runtime stage runs nothing (no shell in distroless): %s", in.Line, in.Args)
		}
	}
	assert.True(t, copied, "the runtime stage copies %s from the %s stage", out[1], builder.Name)
	require.NotEmpty(t, user, "the runtime stage sets USER")
	uid, _, _ := strings.Cut(user, ":")
	assert.NotContains(t, []string{"root", "0", ""}, uid, "USER %s must not be root", user)
	if uid != "nonroot" {
		assert.Regexp(t, `^[1-9][0-9]*$`, uid, "numeric non-root USER, so runAsNonRoot can verify it")
	}
	if base == "scratch" {
		hasCA := false
		for _, in := range final.Steps {
			if in.Cmd == "COPY" && strings.Contains(in.Args, "ca-certificates") {
				hasCA = true
			}
		}
		assert.True(t, hasCA, "scratch needs CA certificates copied in")
	}
	assert.ElementsMatch(t, []string{"8080", "9090"}, exposed, "EXPOSE the REST and MCP ports")
	var ep []string
	require.NoError(t, json.Unmarshal([]byte(entrypoint), &ep), "ENTRYPOINT in exec (JSON) form: %s", entrypoint)
	assert.Equal(t, []string{"/clustergate", "serve"}, ep)
}

// dockerignorePatterns reads .dockerignore as regular expressions, roughly as
// Docker matches them (moby/patternmatcher): paths relative to the context,
// `*` within a segment, `**` across segments, a match on a folder excludes
// what it holds, `!` re-includes.
func dockerignorePatterns(t *testing.T, path string) []struct {
	re      *regexp.Regexp
	include bool
	text    string
} {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var out []struct {
		re      *regexp.Regexp
		include bool
		text    string
	}
	for _, line := range strings.Split(string(raw), "\n") {
		p := strings.TrimSpace(line)
		if p == "" || strings.HasPrefix(p, "#") {
			continue
		}
		include := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		p = strings.Trim(filepath.ToSlash(filepath.Clean(p)), "/")
		var re strings.Builder
		re.WriteString("^")
		for i := 0; i < len(p); i++ {
			switch {
			case strings.HasPrefix(p[i:], "**/"):
				re.WriteString("(.*/)?")
				i += 2
			case strings.HasPrefix(p[i:], "**"):
				re.WriteString(".*")
				i++
			case p[i] == '*':
				re.WriteString("[^/]*")
			case p[i] == '?':
				re.WriteString("[^/]")
			default:
				re.WriteString(regexp.QuoteMeta(string(p[i])))
			}
		}
		re.WriteString("(/.*)?$")
		out = append(out, struct {
			re      *regexp.Regexp
			include bool
			text    string
		}{regexp.MustCompile(re.String()), include, line})
	}
	return out
}

func TestDockerignore(t *testing.T) {
	root := helmtest.RepoRoot(t)
	patterns := dockerignorePatterns(t, filepath.Join(root, ".dockerignore"))
	excluded := func(rel string) (bool, string) {
		ex, why := false, ""
		for _, p := range patterns {
			if p.re.MatchString(rel) {
				ex, why = !p.include, p.text
			}
		}
		return ex, why
	}

	for _, rel := range []string{".git", ".git/config", "bin/clustergate", "tests/upstreams/kube/go.mod",
		"tests/mcpclients/node_modules/x/index.js", "node_modules/x", "cmd/clustergate/clustergate.test"} {
		ex, _ := excluded(rel)
		assert.True(t, ex, ".dockerignore must exclude %s", rel)
	}

	// Everything `go build ./cmd/clustergate` reads must stay in the context.
	need := []string{"go.mod", "go.sum"}
	cmd := exec.Command("go", "list", "-deps", "-f",
		`{{if and .Module .Module.Main}}{{range .GoFiles}}{{$.Dir}}/{{.}}
{{end}}{{range .EmbedFiles}}{{$.Dir}}/{{.}}
{{end}}{{end}}`, "./cmd/clustergate")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	listed, err := cmd.Output()
	require.NoError(t, err, "go list the packages of ./cmd/clustergate")
	for _, f := range strings.Fields(string(listed)) {
		rel, err := filepath.Rel(root, f)
		require.NoError(t, err)
		need = append(need, filepath.ToSlash(rel))
	}
	require.Greater(t, len(need), 10, "go list found the build's files")
	for _, rel := range need {
		ex, why := excluded(rel)
		assert.False(t, ex, "%s is needed by the build but .dockerignore excludes it (%q)", rel, why)
	}
}
