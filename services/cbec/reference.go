package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/cbec/cbec/deploy"
	"github.com/cbec/cbec/pkg/export"
	"github.com/cbec/cbec/pkg/rules"
	"github.com/cbec/cbec/pkg/tariff"
)

// readReference returns the file at path, or the embedded default.
func readReference(path string, embedded []byte) ([]byte, error) {
	if path == "" {
		return embedded, nil
	}
	return os.ReadFile(path)
}

func loadTariff(path string) (*tariff.Table, error) {
	b, err := readReference(path, deploy.Tariff)
	if err != nil {
		return nil, fmt.Errorf("--tariff: %w", err)
	}
	t, err := tariff.Load(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("--tariff %s: %w", orEmbedded(path), err)
	}
	return t, nil
}

func loadRules(path string) (*rules.Set, error) {
	b, err := readReference(path, deploy.Rules)
	if err != nil {
		return nil, fmt.Errorf("--rules: %w", err)
	}
	s, err := rules.Load(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("--rules %s: %w", orEmbedded(path), err)
	}
	return s, nil
}

func loadExport(path string) (*export.Reference, error) {
	b, err := readReference(path, deploy.Export)
	if err != nil {
		return nil, fmt.Errorf("--export: %w", err)
	}
	r, err := export.Load(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("--export %s: %w", orEmbedded(path), err)
	}
	return r, nil
}

func orEmbedded(path string) string {
	if path == "" {
		return "(embedded default)"
	}
	return path
}

// quotaSecret returns --quota-secret, or with the embedded server a random
// secret generated once and kept in the data directory, so buyers keep their
// ledger rows across restarts.
func (m *Main) quotaSecret() ([]byte, error) {
	if m.Config.QuotaSecret != "" {
		return []byte(m.Config.QuotaSecret), nil
	}
	if m.Config.NATSURL != "" {
		// Only processes without clearance get here; they never use it.
		return []byte("unused"), nil
	}
	path := filepath.Join(m.Config.DataDir, "quota.secret")
	b, err := os.ReadFile(path)
	if err == nil {
		return []byte(strings.TrimSpace(string(b))), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, err
	}
	secret := hex.EncodeToString(raw[:])
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("quota secret: %w", err)
	}
	return []byte(secret), nil
}
