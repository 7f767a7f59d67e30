package capi

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	capiadapter "github.com/clustergate/clustergate/adapters/capi"
)

// seed creates the template and the demo cluster, backdated so that the
// demo is Provisioned from the start. It goes through the adapter, so the
// demo is exactly what create_cluster makes.
func (s *Sandbox) seed() {
	ctx := context.Background()
	s.backdate = time.Hour
	defer func() { s.backdate = 0 }()
	must := func(err error) {
		if err != nil {
			panic(fmt.Sprintf("sandbox/capi: seed: %v", err)) // a bug of the sandbox, not of its caller
		}
	}
	must(s.store.Create(ctx, QuickStart(Namespace)))
	cp, workers, gpus := int32(3), int32(2), int32(1)
	_, err := s.adapter.CreateCluster(ctx, Namespace, capiadapter.CreateRequest{
		Name: DemoCluster, Class: TemplateName, Version: "v1.36.3", ControlPlaneReplicas: &cp,
		Workers: []capiadapter.Worker{
			{Class: "default-worker", Name: "md-0", Replicas: &workers},
			{Class: "gpu-worker", Name: "gpu", Replicas: &gpus},
		},
		Variables: map[string]any{"region": "eu"},
		Labels:    map[string]string{"environment": "demo"},
	})
	must(err)
	must(s.reconcile(ctx))
}

// reconcile plays Cluster API's controllers up to the current time: for
// every Cluster, its finalizer, its MachineDeployments and Machines, its
// status and kubeconfig Secret, or its teardown once deleted. It writes only
// what changed, so reads between two phase changes see a stable
// resourceVersion.
func (s *Sandbox) reconcile(ctx context.Context) error {
	var list clusterv1.ClusterList
	if err := s.store.List(ctx, &list); err != nil {
		return fmt.Errorf("sandbox: list clusters: %w", err)
	}
	now := s.now()
	for i := range list.Items {
		c := &list.Items[i]
		var err error
		if c.DeletionTimestamp != nil {
			err = s.tearDown(ctx, c, now)
		} else {
			err = s.provision(ctx, c, now.Sub(c.CreationTimestamp.Time))
		}
		if err != nil {
			return fmt.Errorf("sandbox: reconcile cluster %s/%s: %w", c.Namespace, c.Name, err)
		}
	}
	return nil
}

// provision brings a live cluster to the state its age implies.
func (s *Sandbox) provision(ctx context.Context, c *clusterv1.Cluster, age time.Duration) error {
	if !controllerutil.ContainsFinalizer(c, clusterv1.ClusterFinalizer) {
		controllerutil.AddFinalizer(c, clusterv1.ClusterFinalizer)
		if err := s.store.Update(ctx, c); err != nil {
			return err
		}
	}
	p := phaseAt(c, age)
	if p.infraReady && c.Spec.ControlPlaneEndpoint.Host == "" { // the infrastructure provider reports it
		c.Spec.ControlPlaneEndpoint = clusterv1.APIEndpoint{Host: endpointHost(c), Port: 6443}
		if err := s.store.Update(ctx, c); err != nil {
			return err
		}
	}
	mds, err := s.syncMachineDeployments(ctx, c, p)
	if err != nil {
		return err
	}
	if err := s.syncMachines(ctx, c, mds, p); err != nil {
		return err
	}
	if p.provisioned {
		if err := s.ensureKubeconfig(ctx, c); err != nil {
			return err
		}
	}
	return s.setStatus(ctx, c, clusterStatus(c, p))
}

// tearDown keeps a deleted cluster Deleting for DeletionTime, then removes
// what belongs to it and its finalizer, which lets the object go.
func (s *Sandbox) tearDown(ctx context.Context, c *clusterv1.Cluster, now time.Time) error {
	key := c.Namespace + "/" + c.Name
	since, ok := s.deleting[key]
	if !ok { // deleted by another path than DeleteCluster: start counting now
		since, s.deleting[key] = now, now
	}
	if now.Sub(since) < DeletionTime {
		st := c.Status
		st.Phase = string(clusterv1.ClusterPhaseDeleting)
		return s.setStatus(ctx, c, st)
	}
	if err := s.deleteChildren(ctx, c); err != nil {
		return err
	}
	controllerutil.RemoveFinalizer(c, clusterv1.ClusterFinalizer)
	delete(s.deleting, key)
	return client.IgnoreNotFound(s.store.Update(ctx, c))
}

// setStatus writes a cluster's status when it differs from st.
func (s *Sandbox) setStatus(ctx context.Context, c *clusterv1.Cluster, st clusterv1.ClusterStatus) error {
	if equality.Semantic.DeepEqual(c.Status, st) {
		return nil
	}
	c.Status = st
	return s.store.Status().Update(ctx, c)
}

// phase is where a cluster is in its provisioning, and since when, so the
// status written for a phase is always the same.
type phase struct {
	infraReady, provisioned bool
	since                   metav1.Time // when the cluster entered this phase
}

func phaseAt(c *clusterv1.Cluster, age time.Duration) phase {
	p := phase{infraReady: age >= InfrastructureTime, provisioned: age >= ProvisioningTime, since: c.CreationTimestamp}
	switch {
	case p.provisioned:
		p.since = metav1.NewTime(c.CreationTimestamp.Add(ProvisioningTime))
	case p.infraReady:
		p.since = metav1.NewTime(c.CreationTimestamp.Add(InfrastructureTime))
	}
	return p
}

// clusterStatus is the status Cluster API reports for a topology cluster
// in phase p.
func clusterStatus(c *clusterv1.Cluster, p phase) clusterv1.ClusterStatus {
	cpWant := replicasOr1(c.Spec.Topology.ControlPlane.Replicas)
	var workersWant int32
	for _, md := range c.Spec.Topology.Workers.MachineDeployments {
		workersWant += replicasOr1(md.Replicas)
	}
	st := clusterv1.ClusterStatus{Phase: string(clusterv1.ClusterPhaseProvisioning), ObservedGeneration: c.Generation}
	st.Initialization.InfrastructureProvisioned = new(p.infraReady)
	st.Initialization.ControlPlaneInitialized = new(p.provisioned)
	st.ControlPlane = counts(cpWant, p.infraReady, p.provisioned)
	workers := counts(workersWant, p.infraReady, p.provisioned)
	st.Workers = &clusterv1.WorkersStatus{DesiredReplicas: workers.DesiredReplicas, Replicas: workers.Replicas,
		ReadyReplicas: workers.ReadyReplicas, AvailableReplicas: workers.AvailableReplicas, UpToDateReplicas: workers.UpToDateReplicas}
	available, reason, msg := metav1.ConditionFalse, "NotAvailable", "Waiting for infrastructure to be provisioned"
	switch {
	case p.provisioned:
		st.Phase = string(clusterv1.ClusterPhaseProvisioned)
		available, reason, msg = metav1.ConditionTrue, "Available", ""
	case p.infraReady:
		msg = "Waiting for the control plane to be initialized"
	}
	// Types and reasons as Cluster API's controllers set them; the contract
	// suite checks both against the real ones.
	cond := func(typ string, ok bool, yes, no string) metav1.Condition {
		c := metav1.Condition{Type: typ, Status: metav1.ConditionFalse, Reason: no, LastTransitionTime: p.since}
		if ok {
			c.Status, c.Reason = metav1.ConditionTrue, yes
		}
		return c
	}
	st.Conditions = []metav1.Condition{
		{Type: clusterv1.ClusterAvailableCondition, Status: available, Reason: reason, Message: msg, LastTransitionTime: p.since},
		cond(clusterv1.ClusterInfrastructureReadyCondition, p.infraReady,
			clusterv1.ClusterInfrastructureReadyReason, clusterv1.ClusterInfrastructureNotReadyReason),
		cond(clusterv1.ClusterControlPlaneInitializedCondition, p.provisioned,
			clusterv1.ClusterControlPlaneInitializedReason, clusterv1.ClusterControlPlaneNotInitializedReason),
		cond(clusterv1.ClusterWorkersAvailableCondition, p.provisioned,
			clusterv1.ClusterWorkersAvailableReason, clusterv1.ClusterWorkersNotAvailableReason),
		// The topology controller reconciles a new cluster at once.
		cond(clusterv1.ClusterTopologyReconciledCondition, true, clusterv1.ClusterTopologyReconcileSucceededReason, ""),
	}
	return st
}

// counts are replica counters: machines exist once the infrastructure is
// ready, and are ready once the cluster is provisioned.
func counts(want int32, exist, ready bool) *clusterv1.ClusterControlPlaneStatus {
	current, up := int32(0), int32(0)
	if exist {
		current = want
	}
	if ready {
		up = want
	}
	return &clusterv1.ClusterControlPlaneStatus{DesiredReplicas: new(want), Replicas: new(current),
		ReadyReplicas: new(up), AvailableReplicas: new(up), UpToDateReplicas: new(current)}
}

func replicasOr1(r *int32) int32 {
	if r == nil {
		return 1 // Cluster API's default for control planes and machine deployments
	}
	return *r
}

// endpointHost is where a cluster's API "is": a name under .invalid
// (RFC 2606), which resolves nowhere, so nothing ever connects to it.
func endpointHost(c *clusterv1.Cluster) string {
	return c.Name + "." + c.Namespace + ".sandbox.invalid"
}

// suffix is a stable stand-in for the random suffixes Cluster API's
// controllers give the objects they generate, in the same alphabet.
func suffix(parts ...string) string {
	const alphabet = "bcdfghjklmnpqrstvwxz2456789"
	sum := sha256.Sum256(fmt.Append(nil, parts))
	out := make([]byte, 5)
	for i := range out {
		out[i] = alphabet[int(sum[i])%len(alphabet)]
	}
	return string(out)
}
