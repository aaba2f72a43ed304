package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/nats-io/nkeys"
)

// NATSPasswordVar is the environment variable a deployed nats-server reads
// a user's password from (deploy/nats/*.conf).
func NATSPasswordVar(user string) string {
	return "CBEC_NATS_" + strings.ToUpper(user) + "_PASSWORD"
}

// NATSIssuerVar holds the public key of the auth callout's issuer account.
const NATSIssuerVar = "CBEC_NATS_CALLOUT_ISSUER"

// Files RunSecrets writes into its directory, besides one <user>.creds per
// NATS user (one line user:password, for --nats-creds).
const (
	// SecretsNATSEnv holds the nats-server's variables: every password
	// and the callout issuer's public key.
	SecretsNATSEnv = "nats.env"
	// SecretsCBECEnv holds the variables every cbec process shares.
	SecretsCBECEnv = "cbec.env"
	// SecretsCalloutSeed is the issuer account's seed (--nats-callout-seed).
	SecretsCalloutSeed = "callout.seed"
)

// RunSecrets is `cbec secrets --dir DIR`: it makes every secret of an
// external deployment (deploy/nats, docker-compose.yml) at random and
// writes each to a file of its own in a directory only its owner may enter
// (0700); the files themselves are 0644, so that a container that runs as
// another user can read the one file mounted into it. It refuses
// to overwrite: rotating a secret is a deliberate act (docs/security.md).
func RunSecrets(args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("cbec secrets", flag.ContinueOnError)
	flags.SetOutput(stderr)
	dir := flags.String("dir", "secrets", "directory to write the secrets into (created, mode 0700)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("secrets: unexpected arguments %v", flags.Args())
	}
	files, err := makeSecrets()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	if err := os.Chmod(*dir, 0o700); err != nil {
		return err
	}
	for name := range files {
		if _, err := os.Stat(filepath.Join(*dir, name)); err == nil {
			return fmt.Errorf("secrets: %s exists; remove the directory's files to make new secrets", filepath.Join(*dir, name))
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(*dir, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	abs, _ := filepath.Abs(*dir)
	_, err = fmt.Fprintf(stdout, "cbec: wrote %d secret files to %s (a directory only you may enter); keep them out of version control and logs\n", len(files), abs)
	return err
}

// makeSecrets returns the secret files by name.
func makeSecrets() (map[string]string, error) {
	files := map[string]string{}
	var natsEnv strings.Builder
	for _, u := range broker.Users() {
		pw, err := randomHex(32)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&natsEnv, "%s=%s\n", NATSPasswordVar(u), pw)
		files[u+".creds"] = string(broker.PasswordFile(u, pw))
	}
	issuer, err := nkeys.CreateAccount()
	if err != nil {
		return nil, err
	}
	pub, err := issuer.PublicKey()
	if err != nil {
		return nil, err
	}
	seed, err := issuer.Seed()
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(&natsEnv, "%s=%s\n", NATSIssuerVar, pub)
	files[SecretsNATSEnv] = natsEnv.String()
	files[SecretsCalloutSeed] = string(seed) + "\n"
	quota, err := randomHex(32)
	if err != nil {
		return nil, err
	}
	files[SecretsCBECEnv] = EnvName("quota-secret") + "=" + quota + "\n"
	return files, nil
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
