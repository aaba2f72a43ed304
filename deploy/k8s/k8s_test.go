package k8s

import (
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"
)

// The overlay the docs apply, and the files around it the checks read.
const (
	overlay     = "overlays/cluster"
	composeFile = "../../docker-compose.yml"
	operations  = "../../docs/operations.md"
	natsCluster = "../nats/cluster"
)

// operatorDirs are the overlay's directories of files only the operator
// has: never in the repository, listed in the overlay's .gitignore.
var operatorDirs = []string{"secrets", "config"}

func build(t *testing.T) *Tree {
	t.Helper()
	tree, err := Build(overlay)
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func TestEveryManifestIsApplied(t *testing.T) {
	tree := build(t)
	read := map[string]bool{}
	for _, f := range tree.Files {
		read[filepath.Clean(f)] = true
	}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && slices.Contains(operatorDirs, d.Name()) {
			return filepath.SkipDir
		}
		if ext := filepath.Ext(path); (ext == ".yaml" || ext == ".yml") && !read[path] {
			t.Errorf("%s is in deploy/k8s but no kustomization of %s includes it: add it to resources, or remove it", path, overlay)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if tree.Namespace == "" {
		t.Errorf("%s sets no namespace", overlay)
	}
	for _, s := range tree.Objects {
		if s.Object.GetNamespace() != "" {
			t.Errorf("%s: %s sets namespace %q; the overlay sets it for all", s.File, name(s.Object), s.Object.GetNamespace())
		}
		if errs := validation.IsDNS1123Label(s.Object.GetName()); len(errs) > 0 {
			t.Errorf("%s: %s: %v", s.File, name(s.Object), errs)
		}
	}
}

func TestDecodeIsStrict(t *testing.T) {
	for _, c := range []struct{ doc, want string }{
		{"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replica: 3}\n", `unknown field "spec.replica"`},
		{"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {Replicas: 3}\n", "spec.Replicas"},
		{"apiVersion: v1\nkind: Service\nmetadata: {name: x, name: y}\n", `"name" already set`},
		{"apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n", `kind "Pod" is not one of the kinds`},
		{"apiVersion: v1\nkind: Service\nmetadata: {labels: {a: b}}\n", "without metadata.name"},
		{"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {template: {spec: {containers: [{name: c, resources: {limits: {memory: lots}}}]}}}\n", "quantities must match"},
	} {
		if _, err := Decode([]byte(c.doc)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Decode(%q): %v; want an error with %q", c.doc, err, c.want)
		}
	}
}

func TestGeneratorSources(t *testing.T) {
	tree := build(t)
	gitignore, err := os.ReadFile(filepath.Join(overlay, ".gitignore"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range operatorDirs {
		if !slices.Contains(strings.Fields(string(gitignore)), "/"+d+"/") {
			t.Errorf("%s/.gitignore does not keep %s/ out of git", overlay, d)
		}
	}
	docs, err := os.ReadFile(operations)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range tree.Generated {
		sources := slices.Collect(maps.Values(g.Files))
		sources = append(sources, g.Envs...)
		if len(sources)+len(g.Literals) == 0 {
			t.Errorf("%s %s (%s) generates nothing", g.Kind, g.Name, g.Dir)
		}
		for _, src := range sources {
			rel, err := filepath.Rel(g.Dir, src)
			if err != nil || strings.HasPrefix(rel, "..") {
				t.Errorf("%s %s: %s is outside its kustomization %s: kustomize refuses it", g.Kind, g.Name, src, g.Dir)
				continue
			}
			dir, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
			if !slices.Contains(operatorDirs, dir) {
				if _, err := os.Stat(src); err != nil {
					t.Errorf("%s %s: %v", g.Kind, g.Name, err)
				}
				continue
			}
			// The operator makes it: cbec secrets (services/cbec checks
			// those names) or by hand, as docs/operations.md says.
			if filepath.Clean(g.Dir) != filepath.Clean(overlay) {
				t.Errorf("%s %s: %s is the operator's, but generated in %s instead of the overlay", g.Kind, g.Name, src, g.Dir)
			}
			if !strings.Contains(string(docs), filepath.Base(src)) {
				t.Errorf("%s %s: %s is made by the operator, but docs/operations.md never names %s", g.Kind, g.Name, rel, filepath.Base(src))
			}
		}
	}
}

func TestPodsAreHardenedAndProbed(t *testing.T) {
	tree := build(t)
	if len(tree.Workloads()) == 0 {
		t.Fatal("no Deployment or StatefulSet")
	}
	for _, w := range tree.Workloads() {
		where := w.File + ": " + name(w.Object)
		sel, err := metav1.LabelSelectorAsSelector(w.Selector)
		if err != nil || sel.Empty() || !sel.Matches(labels.Set(w.Template.Labels)) {
			t.Errorf("%s: selector %v does not match its pods' labels %v (%v)", where, w.Selector, w.Template.Labels, err)
		}
		pod := w.Template.Spec
		if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
			t.Errorf("%s: automountServiceAccountToken is not false; nothing in cbec talks to the API server", where)
		}
		psc := pod.SecurityContext
		if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 ||
			psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
			t.Errorf("%s: the pod must run as a non-root user id with the runtime's seccomp profile (securityContext %+v)", where, psc)
		}
		if len(pod.Containers) == 0 {
			t.Errorf("%s: no containers", where)
		}
		for _, c := range append(slices.Clone(pod.InitContainers), pod.Containers...) {
			where := where + ", container " + c.Name
			csc := c.SecurityContext
			if csc == nil || csc.AllowPrivilegeEscalation == nil || *csc.AllowPrivilegeEscalation ||
				csc.ReadOnlyRootFilesystem == nil || !*csc.ReadOnlyRootFilesystem ||
				csc.Capabilities == nil || !slices.Contains(csc.Capabilities.Drop, "ALL") {
				t.Errorf("%s: want allowPrivilegeEscalation false, readOnlyRootFilesystem true, capabilities drop ALL (securityContext %+v)", where, csc)
			}
			for kind, p := range map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe, "startup": c.StartupProbe} {
				if p == nil || p.HTTPGet == nil {
					t.Errorf("%s: no HTTP %s probe", where, kind)
					continue
				}
				if !hasPort(c, p.HTTPGet.Port.String()) {
					t.Errorf("%s: %s probe on port %s, which the container does not declare", where, kind, p.HTTPGet.Port.String())
				}
			}
			req, lim := c.Resources.Requests, c.Resources.Limits
			if req.Cpu().IsZero() || req.Memory().IsZero() || lim.Memory().IsZero() {
				t.Errorf("%s: want CPU and memory requests and a memory limit (resources %v)", where, c.Resources)
			} else if req.Memory().Cmp(*lim.Memory()) > 0 {
				t.Errorf("%s: memory request %v above its limit %v", where, req.Memory(), lim.Memory())
			}
			for _, m := range c.VolumeMounts {
				if !slices.ContainsFunc(pod.Volumes, func(v corev1.Volume) bool { return v.Name == m.Name }) &&
					!slices.ContainsFunc(claimTemplates(w.Object), func(n string) bool { return n == m.Name }) {
					t.Errorf("%s: mounts volume %q, which the pod does not have", where, m.Name)
				}
			}
		}
	}
}

func hasPort(c corev1.Container, port string) bool {
	return slices.ContainsFunc(c.Ports, func(p corev1.ContainerPort) bool {
		return p.Name == port || strconv.Itoa(int(p.ContainerPort)) == port
	})
}

func claimTemplates(o Object) []string {
	var out []string
	if s, ok := o.(*appsv1.StatefulSet); ok {
		for _, c := range s.Spec.VolumeClaimTemplates {
			out = append(out, c.Name)
		}
	}
	return out
}

// TestReferencesResolve: every ConfigMap and Secret a pod uses is made by a
// generator of the tree (or is an object of it), with the keys the pod
// asks for; every file a CBEC_* or CBEC_NATS_TLS_* variable names is a
// mounted key.
func TestReferencesResolve(t *testing.T) {
	tree := build(t)
	keys := func(kind, name string) ([]string, bool) {
		if g := tree.Generator(kind, name); g != nil {
			return tree.Keys(g), true
		}
		for _, s := range tree.Objects {
			switch o := s.Object.(type) {
			case *corev1.ConfigMap:
				if kind == "ConfigMap" && o.Name == name {
					return slices.Collect(maps.Keys(o.Data)), true
				}
			case *corev1.Secret:
				if kind == "Secret" && o.Name == name {
					return slices.Collect(maps.Keys(o.StringData)), true
				}
			}
		}
		return nil, false
	}
	check := func(where, kind, name string, wantKeys ...string) {
		have, ok := keys(kind, name)
		if !ok {
			t.Errorf("%s: %s %q is neither generated nor defined in the tree", where, kind, name)
			return
		}
		for _, k := range wantKeys {
			if !slices.Contains(have, k) {
				t.Errorf("%s: %s %q has no key %q (it has %v)", where, kind, name, k, have)
			}
		}
	}
	for _, w := range tree.Workloads() {
		pod := w.Template.Spec
		for _, v := range pod.Volumes {
			where := w.File + ": " + name(w.Object) + ", volume " + v.Name
			switch {
			case v.ConfigMap != nil:
				check(where, "ConfigMap", v.ConfigMap.Name, itemKeys(v.ConfigMap.Items)...)
			case v.Secret != nil:
				check(where, "Secret", v.Secret.SecretName, itemKeys(v.Secret.Items)...)
			case v.EmptyDir != nil:
			default:
				t.Errorf("%s: a volume of a kind the checks do not follow", where)
			}
		}
		for _, c := range pod.Containers {
			where := w.File + ": " + name(w.Object) + ", container " + c.Name
			for _, from := range c.EnvFrom {
				switch {
				case from.SecretRef != nil:
					check(where, "Secret", from.SecretRef.Name)
				case from.ConfigMapRef != nil:
					check(where, "ConfigMap", from.ConfigMapRef.Name)
				}
			}
			files := tree.MountedFiles(pod, c)
			for _, e := range c.Env {
				switch {
				case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
					check(where, "Secret", e.ValueFrom.SecretKeyRef.Name, e.ValueFrom.SecretKeyRef.Key)
				case e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil:
					check(where, "ConfigMap", e.ValueFrom.ConfigMapKeyRef.Name, e.ValueFrom.ConfigMapKeyRef.Key)
				case strings.HasPrefix(e.Name, "CBEC_") && strings.HasPrefix(e.Value, "/"):
					if _, ok := files[e.Value]; !ok {
						t.Errorf("%s: %s=%s, which no mounted ConfigMap or Secret key provides (mounted: %v)", where, e.Name, e.Value, slices.Sorted(maps.Keys(files)))
					}
				}
			}
		}
	}
}

func itemKeys(items []corev1.KeyToPath) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Key)
	}
	return out
}

// composeImages returns every image docker-compose.yml runs.
func composeImages(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(composeFile)
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Services map[string]struct {
			Image string `json:"image"`
		} `json:"services"`
	}
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range c.Services {
		if s.Image != "" && !slices.Contains(out, s.Image) {
			out = append(out, s.Image)
		}
	}
	return out
}

// pinned is an image named with a version tag (and maybe a digest), never
// latest nor the registry's default.
var pinned = regexp.MustCompile(`^[a-z0-9./-]+:v?[0-9][0-9A-Za-z._-]*(@sha256:[0-9a-f]{64})?$`)

func TestImagesArePinnedAndThoseOfCompose(t *testing.T) {
	tree := build(t)
	compose := composeImages(t)
	if len(compose) < 2 {
		t.Fatalf("%s runs images %v; want cbec's and NATS's at least", composeFile, compose)
	}
	used := map[string]bool{}
	for _, w := range tree.Workloads() {
		for _, c := range append(slices.Clone(w.Template.Spec.InitContainers), w.Template.Spec.Containers...) {
			where := w.File + ": " + name(w.Object) + ", container " + c.Name
			if !pinned.MatchString(c.Image) || strings.Contains(c.Image, ":latest") {
				t.Errorf("%s: image %q is not pinned to a version tag", where, c.Image)
			}
			if !slices.Contains(compose, c.Image) {
				t.Errorf("%s: image %q; docker-compose.yml runs %v: deploy both with the same images", where, c.Image, compose)
			}
			if c.ImagePullPolicy == corev1.PullAlways {
				t.Errorf("%s: imagePullPolicy Always: a pinned image needs no pull on every start", where)
			}
			used[repository(c.Image)] = true
		}
	}
	for _, repo := range []string{"cbec", "nats"} {
		if !used[repo] {
			t.Errorf("no container runs the %s image (compose: %v)", repo, compose)
		}
	}
}

// repository is an image's name without registry, tag and digest.
func repository(image string) string {
	image, _, _ = strings.Cut(image, "@")
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		image = image[:i]
	}
	return image[strings.LastIndex(image, "/")+1:]
}

func TestNATSCluster(t *testing.T) {
	tree := build(t)
	var sts *appsv1.StatefulSet
	services := map[string]*corev1.Service{}
	var pdb *policyv1.PodDisruptionBudget
	for _, s := range tree.Objects {
		switch o := s.Object.(type) {
		case *appsv1.StatefulSet:
			if o.Name == "nats" {
				sts = o
			}
		case *corev1.Service:
			services[o.Name] = o
		case *policyv1.PodDisruptionBudget:
			if o.Name == "nats" {
				pdb = o
			}
		}
	}
	if sts == nil {
		t.Fatal("no StatefulSet nats")
	}
	if sts.Spec.Replicas == nil || *sts.Spec.Replicas != 3 {
		t.Errorf("StatefulSet nats: replicas %v, want 3 (a JetStream cluster that survives one node)", sts.Spec.Replicas)
	}
	if sts.Spec.PodManagementPolicy != appsv1.ParallelPodManagement {
		t.Errorf("StatefulSet nats: podManagementPolicy %q; the nodes must start together to form JetStream", sts.Spec.PodManagementPolicy)
	}
	head := services[sts.Spec.ServiceName]
	if head == nil || head.Spec.ClusterIP != corev1.ClusterIPNone || !head.Spec.PublishNotReadyAddresses {
		t.Errorf("StatefulSet nats: serviceName %q must be a headless Service that publishes pods not yet ready", sts.Spec.ServiceName)
	}
	if pdb == nil || pdb.Spec.MaxUnavailable == nil || pdb.Spec.MaxUnavailable.IntValue() != 1 {
		t.Error("no PodDisruptionBudget nats with maxUnavailable 1: a drain could take two nodes and JetStream's quorum")
	}

	// The pods' names are the host names of the cluster's configuration:
	// its routes, the certificate, cbec's --nats-url.
	start := int32(0)
	if sts.Spec.Ordinals != nil {
		start = sts.Spec.Ordinals.Start
	}
	var pods []string
	for i := range replicas(sts.Spec.Replicas) {
		pods = append(pods, fmt.Sprintf("%s-%d", sts.Name, start+i))
	}
	confs, err := filepath.Glob(filepath.Join(natsCluster, "*.conf"))
	if err != nil || len(confs) == 0 {
		t.Fatalf("%s: no configuration (%v)", natsCluster, err)
	}
	route := regexp.MustCompile(`nats-route://([a-z0-9-]+):6222`)
	for _, f := range confs {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var hosts []string
		for _, m := range route.FindAllStringSubmatch(string(b), -1) {
			hosts = append(hosts, m[1])
		}
		if !slices.Equal(hosts, pods) {
			t.Errorf("%s routes to %v; the StatefulSet's pods are %v", f, hosts, pods)
		}
	}
	c := sts.Spec.Template.Spec.Containers[0]
	files := tree.MountedFiles(sts.Spec.Template.Spec, c)
	for _, pod := range pods {
		arg := strings.ReplaceAll(strings.Join(c.Args, " "), "$(POD_NAME)", pod)
		i := strings.Index(arg, "-c ")
		if i < 0 {
			t.Fatalf("nats container args %q: want -c <configuration file>", c.Args)
		}
		path, _, _ := strings.Cut(arg[i+3:], " ")
		src, ok := files[path]
		if !ok {
			t.Errorf("pod %s reads %s, which no mounted ConfigMap key provides", pod, path)
		} else if want := filepath.Join(natsCluster, pod+".conf"); src != want {
			t.Errorf("pod %s reads %s, generated from %s; want %s", pod, path, src, want)
		}
		svc := services[pod]
		if svc == nil {
			t.Errorf("no Service %s: the name the routes and cbec's --nats-url use would not resolve", pod)
			continue
		}
		if svc.Spec.Selector["statefulset.kubernetes.io/pod-name"] != pod || !svc.Spec.PublishNotReadyAddresses {
			t.Errorf("Service %s: selector %v; want the pod %s alone, not-ready addresses published (routes form before readiness)", pod, svc.Spec.Selector, pod)
		}
		for _, port := range []int32{4222, 6222} {
			if !slices.ContainsFunc(svc.Spec.Ports, func(p corev1.ServicePort) bool { return p.Port == port }) {
				t.Errorf("Service %s does not expose port %d", pod, port)
			}
		}
	}
	env := tree.Env(c)
	for _, v := range []string{"CBEC_NATS_TLS_CERT", "CBEC_NATS_TLS_KEY", "CBEC_NATS_TLS_CA"} {
		if _, ok := files[env[v]]; !ok {
			t.Errorf("nats container: %s=%q is not a mounted key (the configuration reads it)", v, env[v])
		}
	}
	if !slices.ContainsFunc(c.EnvFrom, func(e corev1.EnvFromSource) bool { return e.SecretRef != nil }) {
		t.Error("nats container: the passwords of `cbec secrets` (nats.env) come from no Secret")
	}
}

func TestCbecDeployments(t *testing.T) {
	tree := build(t)
	services := map[string]*corev1.Service{}
	for _, s := range tree.Objects {
		if o, ok := s.Object.(*corev1.Service); ok {
			services[o.Name] = o
		}
	}
	found := 0
	for _, w := range tree.Workloads() {
		d, ok := w.Object.(*appsv1.Deployment)
		if !ok {
			continue
		}
		found++
		where := w.File + ": " + name(d)
		c := d.Spec.Template.Spec.Containers[0]
		if repository(c.Image) != "cbec" {
			t.Errorf("%s runs %s; every Deployment is a cbec service", where, c.Image)
		}
		if !slices.Contains(c.Args, "--services="+d.Name) {
			t.Errorf("%s: args %q; want --services=%s, named after the Deployment", where, c.Args, d.Name)
		}
		env := tree.Env(c)
		if env["CBEC_REPLICAS"] != "3" {
			t.Errorf("%s: CBEC_REPLICAS=%q; on the 3-node cluster every process runs with 3", where, env["CBEC_REPLICAS"])
		}
		urls := strings.Split(env["CBEC_NATS_URL"], ",")
		for _, u := range urls {
			host, port, _ := strings.Cut(strings.TrimPrefix(u, "tls://"), ":")
			if !strings.HasPrefix(u, "tls://") || port != "4222" || services[host] == nil {
				t.Errorf("%s: NATS URL %q; want tls://<a NATS node's Service>:4222", where, u)
			}
		}
		if len(urls) != 3 {
			t.Errorf("%s: CBEC_NATS_URL names %d servers; want all three nodes", where, len(urls))
		}
		if env["CBEC_NATS_TLS_CA"] == "" || env["CBEC_NATS_CREDS"] == "" {
			t.Errorf("%s: want CBEC_NATS_TLS_CA and CBEC_NATS_CREDS", where)
		}
		if g := d.Spec.Template.Spec.TerminationGracePeriodSeconds; g == nil || *g <= 30 {
			t.Errorf("%s: terminationGracePeriodSeconds %v; cbec drains for up to 30 s", where, g)
		}
		if !strings.HasPrefix(env["CBEC_HTTP_ADDR"], "0.0.0.0:") || !hasPort(c, strings.TrimPrefix(env["CBEC_HTTP_ADDR"], "0.0.0.0:")) {
			t.Errorf("%s: CBEC_HTTP_ADDR %q is not the container port it declares", where, env["CBEC_HTTP_ADDR"])
		}
		if d.Name == "metrics" && (w.Replicas != 1 || d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType) {
			t.Errorf("%s: replicas %d, strategy %q; metrics counts every event in each replica: one, replaced not rolled", where, w.Replicas, d.Spec.Strategy.Type)
		}
	}
	if found == 0 {
		t.Fatal("no Deployment")
	}
	gw := services["gateway"]
	if gw == nil {
		t.Fatal("no Service gateway: the API is not reachable")
	}
	for _, s := range services {
		if s.Spec.ClusterIP == corev1.ClusterIPNone {
			continue
		}
		pods := podsOf(tree, s.Spec.Selector)
		if len(pods) == 0 {
			t.Errorf("Service %s selects %v, no pods", s.Name, s.Spec.Selector)
		}
		for _, p := range s.Spec.Ports {
			for _, w := range pods {
				if !hasPort(w.Template.Spec.Containers[0], p.TargetPort.String()) {
					t.Errorf("Service %s: targetPort %s is not a port of %s", s.Name, p.TargetPort.String(), name(w.Object))
				}
			}
		}
	}
}

func podsOf(tree *Tree, selector map[string]string) []Workload {
	var out []Workload
	for _, w := range tree.Workloads() {
		if len(selector) > 0 && labels.SelectorFromSet(selector).Matches(labels.Set(w.Template.Labels)) {
			out = append(out, w)
			continue
		}
		// A Service for one pod of a StatefulSet selects it by the pod
		// name label its controller adds.
		pod, ok := selector["statefulset.kubernetes.io/pod-name"]
		rest := labels.Set{}
		for k, v := range selector {
			if k != "statefulset.kubernetes.io/pod-name" {
				rest[k] = v
			}
		}
		if ok && strings.HasPrefix(pod, w.Object.GetName()+"-") && labels.SelectorFromSet(rest).Matches(labels.Set(w.Template.Labels)) {
			out = append(out, w)
		}
	}
	return out
}

func name(o Object) string {
	return o.GetObjectKind().GroupVersionKind().Kind + " " + o.GetName()
}
