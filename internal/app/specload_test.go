package app

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/clustergate/clustergate/generated/capiclusters"
	"github.com/clustergate/clustergate/generated/incuscluster"
	"github.com/clustergate/clustergate/generated/portworxclusterpair"
)

// BenchmarkFacadeSpecLoad measures what every process pays per surface at
// start: parsing the embedded facade spec (most of start-up CPU, issue 13).
// Its cost follows the spec's size and depth, so what specgen writes once
// (a shared component referenced by $ref) instead of per operation shows here.
func BenchmarkFacadeSpecLoad(b *testing.B) {
	for _, s := range []struct {
		name string
		load func() (*openapi3.T, error)
	}{
		{"incus-cluster", incuscluster.GetSwagger},
		{"portworx-clusterpair", portworxclusterpair.GetSwagger},
		{"capi-clusters", capiclusters.GetSwagger},
	} {
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.load(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
