// Package k8s holds cbec's Kubernetes manifests, laid out for kustomize:
// base/ (the split services, a 3-node NATS JetStream cluster) and
// overlays/cluster/ (namespace, the Secrets made by `cbec secrets`, the
// parties and rules files). docs/operations.md, Kubernetes, says how to
// apply them.
//
// [Build] reads a kustomization as kustomize would, without kustomize: it
// follows the resources (files and other kustomizations), decodes every
// object strictly into its Kubernetes API type, as the API server does, and
// collects the ConfigMaps and Secrets the generators would make. The tests
// of this package and of services/cbec check the manifests with it, so
// that neither kubectl nor a cluster is needed to find a typo, a missing
// probe or a Secret nobody makes.
package k8s

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// Object is a Kubernetes object decoded into its API type.
type Object interface {
	runtime.Object
	metav1.Object
}

// kinds are the API types the manifests may use, by apiVersion and kind.
// Anything else is refused: a kind the tests do not know is one they
// cannot check.
var kinds = map[string]func() Object{
	"v1/Namespace":                  func() Object { return &corev1.Namespace{} },
	"v1/Service":                    func() Object { return &corev1.Service{} },
	"v1/ConfigMap":                  func() Object { return &corev1.ConfigMap{} },
	"v1/Secret":                     func() Object { return &corev1.Secret{} },
	"apps/v1/Deployment":            func() Object { return &appsv1.Deployment{} },
	"apps/v1/StatefulSet":           func() Object { return &appsv1.StatefulSet{} },
	"policy/v1/PodDisruptionBudget": func() Object { return &policyv1.PodDisruptionBudget{} },
}

// Kustomization is the part of kustomization.yaml the manifests use. It is
// decoded strictly too: a field outside it is either a typo or a feature
// the checks would not follow.
type Kustomization struct {
	APIVersion         string      `json:"apiVersion"`
	Kind               string      `json:"kind"`
	Namespace          string      `json:"namespace,omitempty"`
	Resources          []string    `json:"resources,omitempty"`
	Labels             []Labels    `json:"labels,omitempty"`
	ConfigMapGenerator []Generator `json:"configMapGenerator,omitempty"`
	SecretGenerator    []Generator `json:"secretGenerator,omitempty"`
}

// Labels are labels kustomize adds to every object (and, with
// IncludeSelectors, to selectors and pod templates).
type Labels struct {
	Pairs            map[string]string `json:"pairs"`
	IncludeSelectors bool              `json:"includeSelectors,omitempty"`
	IncludeTemplates bool              `json:"includeTemplates,omitempty"`
}

// Generator is a configMapGenerator or secretGenerator entry.
type Generator struct {
	Name string `json:"name"`
	// Files are "path" or "key=path", relative to the kustomization.
	Files []string `json:"files,omitempty"`
	// Envs are env files (KEY=value lines), one key per line.
	Envs     []string `json:"envs,omitempty"`
	Literals []string `json:"literals,omitempty"`
	Type     string   `json:"type,omitempty"`
}

// Generated is a ConfigMap or Secret a generator makes. kustomize names it
// Name plus a hash of its content and rewrites every reference to it.
type Generated struct {
	Kind string // ConfigMap or Secret
	Name string
	// Dir is the kustomization that generates it.
	Dir string
	// Files maps each key to its source file (a path from the working
	// directory); the source may not exist yet (made by the operator).
	Files map[string]string
	// Envs are env files whose lines become keys.
	Envs []string
	// Literals maps each literal key to its value.
	Literals map[string]string
}

// Keys returns the keys a generated object will have; those of env files
// only when the file (or its stand-in, Sources) exists.
func (t *Tree) Keys(g *Generated) []string {
	var keys []string
	for k := range g.Files {
		keys = append(keys, k)
	}
	for k := range g.Literals {
		keys = append(keys, k)
	}
	for _, f := range g.Envs {
		for k := range t.readEnv(f) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// readEnv reads an env file (KEY=value lines), or nothing when it does
// not exist.
func (t *Tree) readEnv(path string) map[string]string {
	env := map[string]string{}
	b, err := os.ReadFile(t.source(path))
	if err != nil {
		return env
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok && !strings.HasPrefix(k, "#") {
			env[k] = v
		}
	}
	return env
}

// Source is one object and the file it came from.
type Source struct {
	File   string
	Object Object
}

// Tree is what a kustomization builds: its objects and generated objects,
// with those of every kustomization it includes.
type Tree struct {
	// Kustomizations by directory.
	Kustomizations map[string]*Kustomization
	Objects        []Source
	Generated      []Generated
	// Namespace is the top kustomization's, set on every object.
	Namespace string
	// Files lists every file read: kustomizations and resources.
	Files []string
	// Sources, when set, maps a generator's source to the file to read in
	// its place: a test's stand-in for a file the operator makes.
	Sources map[string]string
}

// source is the file to read for a generator's source path.
func (t *Tree) source(path string) string {
	if s, ok := t.Sources[path]; ok {
		return s
	}
	return path
}

// Build reads the kustomization in dir and everything it includes.
func Build(dir string) (*Tree, error) {
	t := &Tree{Kustomizations: map[string]*Kustomization{}}
	if err := t.build(filepath.Clean(dir), nil); err != nil {
		return nil, err
	}
	if k := t.Kustomizations[filepath.Clean(dir)]; k != nil {
		t.Namespace = k.Namespace
	}
	return t, nil
}

func (t *Tree) build(dir string, stack []string) error {
	if slices.Contains(stack, dir) {
		return fmt.Errorf("kustomization %s includes itself (%s)", dir, strings.Join(append(stack, dir), " -> "))
	}
	if _, done := t.Kustomizations[dir]; done {
		return fmt.Errorf("kustomization %s is included twice: kustomize refuses the duplicate objects", dir)
	}
	file := filepath.Join(dir, "kustomization.yaml")
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var k Kustomization
	if err := decodeStrict(b, &k); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if k.APIVersion != "kustomize.config.k8s.io/v1beta1" || k.Kind != "Kustomization" {
		return fmt.Errorf("%s: apiVersion %q kind %q, want kustomize.config.k8s.io/v1beta1 Kustomization", file, k.APIVersion, k.Kind)
	}
	t.Kustomizations[dir] = &k
	t.Files = append(t.Files, file)
	for _, r := range k.Resources {
		path := filepath.Join(dir, r)
		fi, err := os.Stat(path)
		if err != nil {
			return fmt.Errorf("%s: resource %s: %w", file, r, err)
		}
		if fi.IsDir() {
			if err := t.build(path, append(stack, dir)); err != nil {
				return err
			}
			continue
		}
		objs, err := ReadFile(path)
		if err != nil {
			return err
		}
		t.Files = append(t.Files, path)
		t.Objects = append(t.Objects, objs...)
	}
	for _, list := range []struct {
		kind string
		gens []Generator
	}{{"ConfigMap", k.ConfigMapGenerator}, {"Secret", k.SecretGenerator}} {
		for _, g := range list.gens {
			gen, err := generated(list.kind, dir, g)
			if err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			t.Generated = append(t.Generated, gen)
		}
	}
	return nil
}

func generated(kind, dir string, g Generator) (Generated, error) {
	gen := Generated{Kind: kind, Name: g.Name, Dir: dir, Files: map[string]string{}, Literals: map[string]string{}}
	if g.Name == "" {
		return gen, fmt.Errorf("%s generator without a name", kind)
	}
	for _, f := range g.Files {
		key, path, ok := strings.Cut(f, "=")
		if !ok {
			key, path = filepath.Base(f), f
		}
		if _, dup := gen.Files[key]; dup {
			return gen, fmt.Errorf("%s %s: key %s twice", kind, g.Name, key)
		}
		gen.Files[key] = filepath.Join(dir, path)
	}
	for _, f := range g.Envs {
		gen.Envs = append(gen.Envs, filepath.Join(dir, f))
	}
	for _, l := range g.Literals {
		key, value, ok := strings.Cut(l, "=")
		if !ok {
			return gen, fmt.Errorf("%s %s: literal %q is not key=value", kind, g.Name, l)
		}
		gen.Literals[key] = value
	}
	return gen, nil
}

// ReadFile decodes every object of a YAML file (documents separated by
// ---), each strictly into its API type: an unknown field, a field given
// twice or in the wrong case, a malformed quantity is an error, as the API
// server's strict field validation makes it.
func ReadFile(path string) ([]Source, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(b)))
	var out []Source
	for i := 1; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		obj, err := Decode(doc)
		if err != nil {
			return nil, fmt.Errorf("%s, document %d: %w", path, i, err)
		}
		out = append(out, Source{File: path, Object: obj})
	}
	return out, nil
}

// Decode decodes one YAML document strictly into the API type its
// apiVersion and kind name.
func Decode(doc []byte) (Object, error) {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return nil, err
	}
	newObj, ok := kinds[tm.APIVersion+"/"+tm.Kind]
	if !ok {
		return nil, fmt.Errorf("apiVersion %q kind %q is not one of the kinds the checks know", tm.APIVersion, tm.Kind)
	}
	obj := newObj()
	if err := decodeStrict(doc, obj); err != nil {
		return nil, fmt.Errorf("%s: %w", tm.Kind, err)
	}
	if obj.GetName() == "" {
		return nil, fmt.Errorf("%s without metadata.name", tm.Kind)
	}
	return obj, nil
}

func decodeStrict(doc []byte, into any) error {
	j, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return err
	}
	strict, err := kjson.UnmarshalStrict(j, into)
	if err != nil {
		return err
	}
	return errors.Join(strict...)
}

func stripComments(doc []byte) []byte {
	var out []byte
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' {
			out = append(out, line...)
			out = append(out, '\n')
		}
	}
	return out
}

// Generator returns the object a generator of the tree makes, by kind
// (ConfigMap or Secret) and name, or nil.
func (t *Tree) Generator(kind, name string) *Generated {
	for i, g := range t.Generated {
		if g.Kind == kind && g.Name == name {
			return &t.Generated[i]
		}
	}
	return nil
}

// Workload is a pod template and the object that runs it.
type Workload struct {
	Source
	Template *corev1.PodTemplateSpec
	Selector *metav1.LabelSelector
	Replicas int32
}

// Workloads returns the Deployments and StatefulSets of the tree.
func (t *Tree) Workloads() []Workload {
	var out []Workload
	for _, s := range t.Objects {
		switch o := s.Object.(type) {
		case *appsv1.Deployment:
			out = append(out, Workload{s, &o.Spec.Template, o.Spec.Selector, replicas(o.Spec.Replicas)})
		case *appsv1.StatefulSet:
			out = append(out, Workload{s, &o.Spec.Template, o.Spec.Selector, replicas(o.Spec.Replicas)})
		}
	}
	return out
}

// replicas is what the API server makes of an unset replicas: 1.
func replicas(n *int32) int32 {
	if n == nil {
		return 1
	}
	return *n
}

// MountedFiles maps each file a container sees from a generated ConfigMap
// or Secret (its path in the container) to the file it is generated from
// (or its stand-in, Sources).
func (t *Tree) MountedFiles(pod corev1.PodSpec, c corev1.Container) map[string]string {
	out := map[string]string{}
	for _, m := range c.VolumeMounts {
		i := slices.IndexFunc(pod.Volumes, func(v corev1.Volume) bool { return v.Name == m.Name })
		if i < 0 {
			continue
		}
		var gen *Generated
		var items []corev1.KeyToPath
		switch v := pod.Volumes[i]; {
		case v.ConfigMap != nil:
			gen, items = t.Generator("ConfigMap", v.ConfigMap.Name), v.ConfigMap.Items
		case v.Secret != nil:
			gen, items = t.Generator("Secret", v.Secret.SecretName), v.Secret.Items
		}
		if gen == nil {
			continue
		}
		for key, src := range gen.Files {
			name := key
			if len(items) > 0 {
				j := slices.IndexFunc(items, func(it corev1.KeyToPath) bool { return it.Key == key })
				if j < 0 {
					continue
				}
				name = items[j].Path
			}
			if m.SubPath != "" {
				if m.SubPath == name {
					out[m.MountPath] = t.source(src)
				}
				continue
			}
			out[filepath.Join(m.MountPath, name)] = t.source(src)
		}
	}
	return out
}

// Env is a container's environment as the kubelet gives it: envFrom first
// (generated env files, when they exist), then env; values taken from a
// generated Secret or ConfigMap, or from the pod's own fields, are left
// out.
func (t *Tree) Env(c corev1.Container) map[string]string {
	env := map[string]string{}
	for _, from := range c.EnvFrom {
		var gen *Generated
		switch {
		case from.SecretRef != nil:
			gen = t.Generator("Secret", from.SecretRef.Name)
		case from.ConfigMapRef != nil:
			gen = t.Generator("ConfigMap", from.ConfigMapRef.Name)
		}
		if gen == nil {
			continue
		}
		for _, f := range gen.Envs {
			for k, v := range t.readEnv(f) {
				env[from.Prefix+k] = v
			}
		}
		for k, v := range gen.Literals {
			env[from.Prefix+k] = v
		}
	}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			env[e.Name] = e.Value
		}
	}
	return env
}
