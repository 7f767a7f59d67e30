package main

import (
	"encoding/json"
	"net/http"

	"github.com/gorilla/mux"
	"github.com/libopenstorage/openstorage/api"
	clustermanager "github.com/libopenstorage/openstorage/cluster/manager"
	"github.com/sirupsen/logrus"
)

// newLegacyClusterRouter serves the part of openstorage's legacy (pre-SDK)
// cluster REST API that SDK cluster pairing depends on.
//
// Why not api/server itself: in v9.4.47 that package also contains the docker
// graph-driver plugin (graphdriver.go), written against a 2016 vendored
// docker/docker; it does not compile against any docker/moby module version
// the later go.mod pins. The handlers below are line-for-line the v9.4.47
// api/server/cluster.go ones (processPair, versions) and, like upstream,
// POST /v1/cluster/pair is not behind the auth middleware: the cluster manager
// checks the pair token itself (ClusterManager.ProcessPairRequest).
func newLegacyClusterRouter() *mux.Router {
	router := mux.NewRouter()
	router.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logrus.Warnf("Not found: %+v ", r.URL)
		http.NotFound(w, r)
	})
	// api/server/cluster.go: clusterPairPath("", "v1") with POST -> processPair
	router.Methods(http.MethodPost).Path("/v1/cluster/pair").HandlerFunc(legacyProcessPair)
	// api/server/cluster.go: "/cluster/versions" -> versions
	router.Methods(http.MethodGet).Path("/cluster/versions").HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode([]string{"v1"})
	})
	return router
}

func legacySendError(method string, w http.ResponseWriter, msg string, code int) {
	logrus.WithFields(logrus.Fields{"Driver": "Cluster API", "Request": method}).Warnln(code, " ", msg)
	http.Error(w, msg, code)
}

// legacyProcessPair mirrors clusterApi.processPair from v9.4.47.
func legacyProcessPair(w http.ResponseWriter, r *http.Request) {
	processPairRequest := &api.ClusterPairProcessRequest{}
	method := "processPair"

	if err := json.NewDecoder(r.Body).Decode(processPairRequest); err != nil {
		legacySendError(method, w, err.Error(), http.StatusBadRequest)
		return
	}

	inst, err := clustermanager.Inst()
	if err != nil {
		legacySendError(method, w, err.Error(), http.StatusInternalServerError)
		return
	}

	resp, err := inst.ProcessPairRequest(processPairRequest)
	if err != nil {
		legacySendError(method, w, err.Error(), http.StatusInternalServerError)
		return
	}

	if err := json.NewEncoder(w).Encode(resp); err != nil {
		legacySendError(method, w, err.Error(), http.StatusInternalServerError)
		return
	}
}
