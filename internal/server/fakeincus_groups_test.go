package server_test

import (
	"context"

	"github.com/lxc/incus/v6/shared/api"
)

// The cluster-group half of fakeIncus (fuzz_test.go): one group, "default".

var fakeGroup = api.ClusterGroup{ClusterGroupPost: api.ClusterGroupPost{Name: "default"},
	ClusterGroupPut: api.ClusterGroupPut{Members: []string{"m1"}, Config: map[string]string{}}}

func (fakeIncus) Groups(context.Context) ([]api.ClusterGroup, error) {
	return []api.ClusterGroup{fakeGroup}, nil
}
func (f fakeIncus) GetGroup(_ context.Context, name string) (*api.ClusterGroup, string, error) {
	f.named("GetGroup", name)
	g := fakeGroup
	return &g, "etag-g1", nil
}
func (f fakeIncus) UpdateGroup(_ context.Context, name string, _ api.ClusterGroupPut, _ string) error {
	f.named("UpdateGroup", name)
	return nil
}
func (f fakeIncus) DeleteGroup(_ context.Context, name string) error {
	f.named("DeleteGroup", name)
	return nil
}
