// Package party holds the parties allowed to talk to cbec — platforms,
// enterprises, declaring agents, payment and logistics companies, warehouses,
// customs officers and operators — and authenticates them by API key. Keys
// are never stored: the parties file holds their SHA-256.
package party

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sync/atomic"

	"github.com/emmansun/gmsm/smx509"

	"github.com/cbec/cbec/pkg/dsig"
	"github.com/cbec/cbec/pkg/refdata"
)

// Role is what a party may do.
type Role string

// Roles of parties (issue 2; design §1).
const (
	RoleEBP        Role = "ebp"        // e-commerce platform: submits orders
	RoleEBC        Role = "ebc"        // e-commerce enterprise
	RoleAgent      Role = "agent"      // declaring agent: inventories, cancellations, returns
	RolePay        Role = "pay"        // payment company: payments
	RoleLogistics  Role = "logistics"  // logistics company: waybills
	RoleWarehouse  Role = "warehouse"  // return-center warehouse operator
	RoleOfficer    Role = "officer"    // customs officer
	RoleSupervisor Role = "supervisor" // customs supervisor
	RoleOperator   Role = "operator"   // system operator
)

var knownRoles = []Role{RoleEBP, RoleEBC, RoleAgent, RolePay, RoleLogistics, RoleWarehouse, RoleOfficer, RoleSupervisor, RoleOperator}

// SignaturePolicy says whether a party's CEB XML messages must be signed.
type SignaturePolicy string

// Signature policies (docs/signatures.md).
const (
	// SignaturesOptional accepts unsigned messages and JSON; a signed
	// message must verify against one of the party's certificates when it
	// has any. The default, so that walk-throughs run without keys.
	SignaturesOptional SignaturePolicy = "optional"
	// SignaturesRequired refuses unsigned messages and JSON submissions:
	// every document must carry a signature that verifies. The production
	// setting (docs/security.md).
	SignaturesRequired SignaturePolicy = "required"
)

// Party is one authenticated sender or reader.
type Party struct {
	Code      string `yaml:"code" json:"code"`
	Name      string `yaml:"name" json:"name"`
	Roles     []Role `yaml:"roles" json:"roles"`
	KeySHA256 string `yaml:"keySha256" json:"-"`
	// CertificatesPEM are the party's signing certificates (SM2 or RSA
	// X.509, PEM), as registered with customs.
	CertificatesPEM []string `yaml:"certificates" json:"-"`
	// Signatures is the party's signature policy; empty means optional.
	Signatures SignaturePolicy `yaml:"signatures" json:"-"`

	certs []*smx509.Certificate
}

// Certs returns the party's parsed signing certificates.
func (p *Party) Certs() []*smx509.Certificate { return p.certs }

// SignaturesRequired reports whether the party's messages must be signed.
func (p *Party) SignaturesRequired() bool { return p.Signatures == SignaturesRequired }

// Has reports whether the party holds the role.
func (p *Party) Has(r Role) bool { return slices.Contains(p.Roles, r) }

// IsCustoms reports whether the party is customs staff or an operator, who
// may read any declaration.
func (p *Party) IsCustoms() bool {
	return p.Has(RoleOfficer) || p.Has(RoleSupervisor) || p.Has(RoleOperator)
}

// Directory authenticates API keys to parties. It is safe for concurrent
// use; Replace swaps its whole content at once (a reload of the file).
type Directory struct {
	idx atomic.Pointer[index]
}

// index is one loaded parties file.
type index struct {
	byHash map[string]*Party
	byCode map[string]*Party
}

type file struct {
	Parties []Party `yaml:"parties"`
}

// codePattern keeps party codes usable as NATS subject tokens, which is how
// NATS permissions confine a party to its own subjects.
var codePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,18}$`)

var hashPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Load reads a parties file (YAML, `parties: [{code, name, roles, keySha256}]`)
// and refuses it whole on the first invalid entry.
func Load(r io.Reader) (*Directory, error) {
	var f file
	if err := refdata.Decode(r, &f); err != nil {
		return nil, fmt.Errorf("parties file: %w", err)
	}
	d := &index{byHash: map[string]*Party{}, byCode: map[string]*Party{}}
	for i := range f.Parties {
		p := &f.Parties[i]
		if !codePattern.MatchString(p.Code) {
			return nil, fmt.Errorf("parties file: party %d: code %q must be 1-18 letters, digits, '_' or '-'", i, p.Code)
		}
		if !hashPattern.MatchString(p.KeySHA256) {
			return nil, fmt.Errorf("parties file: party %s: keySha256 must be 64 lower-case hex digits", p.Code)
		}
		if len(p.Roles) == 0 {
			return nil, fmt.Errorf("parties file: party %s: no roles", p.Code)
		}
		for _, r := range p.Roles {
			if !slices.Contains(knownRoles, r) {
				return nil, fmt.Errorf("parties file: party %s: unknown role %q", p.Code, r)
			}
		}
		if err := p.loadCertificates(); err != nil {
			return nil, fmt.Errorf("parties file: party %s: %w", p.Code, err)
		}
		if _, dup := d.byCode[p.Code]; dup {
			return nil, fmt.Errorf("parties file: party %s listed twice", p.Code)
		}
		if _, dup := d.byHash[p.KeySHA256]; dup {
			return nil, fmt.Errorf("parties file: party %s shares its key with another party", p.Code)
		}
		d.byCode[p.Code] = p
		d.byHash[p.KeySHA256] = p
	}
	if len(d.byCode) == 0 {
		return nil, fmt.Errorf("parties file: no parties")
	}
	dir := &Directory{}
	dir.idx.Store(d)
	return dir, nil
}

// loadCertificates parses the party's certificates and checks its policy:
// a party whose signatures are required needs a certificate to verify them.
func (p *Party) loadCertificates() error {
	switch p.Signatures {
	case "", SignaturesOptional, SignaturesRequired:
	default:
		return fmt.Errorf("signatures %q must be optional or required", p.Signatures)
	}
	for i, c := range p.CertificatesPEM {
		certs, err := dsig.ParseCertificates([]byte(c))
		if err != nil {
			return fmt.Errorf("certificates[%d]: %w", i, err)
		}
		p.certs = append(p.certs, certs...)
	}
	if p.SignaturesRequired() && len(p.certs) == 0 {
		return fmt.Errorf("signatures: required needs at least one certificate")
	}
	return nil
}

// Replace makes d hold what from holds: a reloaded parties file takes
// effect for every holder of d at once, and a key removed from the file is
// refused from then on.
func (d *Directory) Replace(from *Directory) { d.idx.Store(from.idx.Load()) }

// HashKey returns the hex SHA-256 of an API key, as stored in keySha256.
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// Authenticate returns the party holding key, or false.
func (d *Directory) Authenticate(key string) (*Party, bool) {
	if key == "" {
		return nil, false
	}
	p, ok := d.idx.Load().byHash[HashKey(key)]
	return p, ok
}

// ByCode returns the party with the code, or false.
func (d *Directory) ByCode(code string) (*Party, bool) {
	p, ok := d.idx.Load().byCode[code]
	return p, ok
}

// Len returns the number of parties.
func (d *Directory) Len() int { return len(d.idx.Load().byCode) }
