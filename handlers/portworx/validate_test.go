package portworx

import (
	"testing"

	"github.com/stretchr/testify/assert"

	gen "github.com/clustergate/clustergate/generated/portworxclusterpair"
	"github.com/clustergate/clustergate/internal/apierr"
)

func TestValidateCreate(t *testing.T) {
	mode := func(m string) *gen.ClusterPairModeMode { v := gen.ClusterPairModeMode(m); return &v }
	ok := gen.APIClusterPairCreateRequest{RemoteClusterIP: "10.0.0.1", RemoteClusterPort: 9001, RemoteClusterToken: "t"}
	cases := []struct {
		name string
		edit func(r *gen.APIClusterPairCreateRequest)
		want string // empty: valid
	}{
		{"ipv4", func(*gen.APIClusterPairCreateRequest) {}, ""},
		{"ipv6", func(r *gen.APIClusterPairCreateRequest) { r.RemoteClusterIP = "fd00::1" }, ""},
		{"host name", func(r *gen.APIClusterPairCreateRequest) { r.RemoteClusterIP = "px-remote.example.com" }, ""},
		{"mode", func(r *gen.APIClusterPairCreateRequest) { r.Mode = mode("OneTimeMigration") }, ""},
		{"url is not a host", func(r *gen.APIClusterPairCreateRequest) { r.RemoteClusterIP = "http://10.0.0.1" }, "request.remote_cluster_ip"},
		{"spaces", func(r *gen.APIClusterPairCreateRequest) { r.RemoteClusterIP = "a b" }, "request.remote_cluster_ip"},
		{"port 0", func(r *gen.APIClusterPairCreateRequest) { r.RemoteClusterPort = 0 }, "request.remote_cluster_port"},
		{"port 65536", func(r *gen.APIClusterPairCreateRequest) { r.RemoteClusterPort = 65536 }, "request.remote_cluster_port"},
		{"unknown mode", func(r *gen.APIClusterPairCreateRequest) { r.Mode = mode("Sideways") }, "request.mode"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := ok
			c.edit(&r)
			err := validateCreate(r)
			if c.want == "" {
				assert.NoError(t, err)
				return
			}
			e := apierr.From(err)
			assert.Equal(t, 400, e.Status)
			assert.Contains(t, e.Message, c.want)
		})
	}
}

func TestPresentFillsModeAndRedacts(t *testing.T) {
	tok := "secret-token"
	p := present(gen.APIClusterPairInfo{Token: &tok}, false)
	assert.Equal(t, gen.Default, p.Mode)
	assert.Equal(t, Redacted, *p.Token)
	assert.Equal(t, "secret-token", tok, "the caller's value is not changed")
	assert.Equal(t, "secret-token", *present(gen.APIClusterPairInfo{Token: &tok}, true).Token, "admins see it")
	empty := present(gen.APIClusterPairInfo{Mode: gen.DisasterRecovery}, false)
	assert.Nil(t, empty.Token)
	assert.Equal(t, gen.DisasterRecovery, empty.Mode)
}
