// Command etcd is the etcd server of go.etcd.io/etcd/server/v3, the version
// k8s.io/kubernetes v1.36.3 pins. etcd's own main package lives in the
// go.etcd.io/etcd/v3 root module, which is not in this module graph; its
// main only calls etcdmain.Main, as this one does.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
