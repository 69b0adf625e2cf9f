package cluster

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a self-signed certificate for 127.0.0.1 and its key,
// and returns their paths.
func selfSigned(t *testing.T) (cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gem test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// TestTLS: a server with a certificate takes TLS clients that trust its CA,
// and refuses clients that do not, and clients without TLS.
func TestTLS(t *testing.T) {
	cert, key := selfSigned(t)
	srv, err := StartServer(ServerConfig{Secret: testSecret, TLSCert: cert, TLSKey: key})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	if !strings.HasPrefix(srv.URL(), "tls://127.0.0.1:") {
		t.Errorf("URL %s, want tls://127.0.0.1:PORT", srv.URL())
	}
	p := testPanel(t)
	nc, err := Connect(srv.URL(), ConnectOptions{Secret: testSecret, CA: cert})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	startWorkers(t, &Worker{Conn: nc, Name: "w", Secret: testSecret, Data: p.Fingerprint(), Harness: testTrials(p)[0].Harness, Evaluate: evaluator(p)})
	trials := testTrials(p)[:2]
	checkEqualsLocal(t, p, trials, collect(t, &Coordinator{Conn: nc, Secret: testSecret}, trials))

	if nc, err := Connect(srv.URL(), ConnectOptions{Secret: testSecret}); err == nil {
		nc.Close()
		t.Error("a client that does not trust the self-signed certificate connected")
	}
	plain := "nats://127.0.0.1:" + strconv.Itoa(srv.Port())
	if nc, err := Connect(plain, ConnectOptions{Secret: testSecret}); err == nil {
		nc.Close()
		t.Error("a client without TLS connected")
	}
	if _, err := StartServer(ServerConfig{Secret: testSecret, TLSCert: cert}); err == nil {
		t.Error("a certificate without its key was accepted")
	}
}

// deadPid returns the pid of a process that has exited.
func deadPid(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// TestRunDirectories: a server's run directory holds its pid and no
// message store (streams are in memory), and is gone after Shutdown; a run
// directory left by a dead process (kill -9) is removed by the next
// StartServer, one of a live process is kept.
func TestRunDirectories(t *testing.T) {
	if err := os.MkdirAll(RunRoot(), 0o700); err != nil {
		t.Fatal(err)
	}
	leftover := func(pid int) string {
		dir, err := os.MkdirTemp(RunRoot(), "run-")
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "pid"), []byte(strconv.Itoa(pid)), 0o600)
		os.MkdirAll(filepath.Join(dir, "jetstream", "x"), 0o700)
		t.Cleanup(func() { os.RemoveAll(dir) })
		return dir
	}
	dead, live := leftover(deadPid(t)), leftover(os.Getpid())

	srv := startServer(t)
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("the dead run's directory %s survived StartServer (%v)", dead, err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("a live run's directory was removed: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(srv.Dir(), "pid")); err != nil || string(b) != strconv.Itoa(os.Getpid()) {
		t.Errorf("pid file %q, %v; want %d", b, err, os.Getpid())
	}
	path, err := srv.WriteSecret(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("secret file %v, %v; want mode 0600", fi.Mode(), err)
	}

	p := testPanel(t)
	ctx, cancel := context.WithCancel(context.Background())
	w := newWorker(t, srv.URL(), "w", p)
	werr := make(chan error, 1)
	go func() { werr <- w.Run(ctx) }()
	trials := testTrials(p)
	checkEqualsLocal(t, p, trials, collect(t, newCoordinator(t, srv.URL()), trials))
	cancel()
	if err := <-werr; err != nil {
		t.Error(err)
	}
	filepath.WalkDir(srv.Dir(), func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".blk") {
			t.Errorf("message store on disk: %s", path)
		}
		return nil
	})
	srv.Shutdown()
	if _, err := os.Stat(srv.Dir()); !os.IsNotExist(err) {
		t.Errorf("run directory %s survived Shutdown (%v)", srv.Dir(), err)
	}
}

// TestRemoteURLs: a loopback server has no address for other machines; one
// on every interface lists the machine's non-loopback IPv4 addresses; one
// on a given address gives that address.
func TestRemoteURLs(t *testing.T) {
	addrs := []net.Addr{
		&net.IPNet{IP: net.IPv4(127, 0, 0, 1), Mask: net.CIDRMask(8, 32)},
		&net.IPNet{IP: net.IPv4(10, 0, 0, 5), Mask: net.CIDRMask(24, 32)},
		&net.IPNet{IP: net.ParseIP("fe80::1"), Mask: net.CIDRMask(64, 128)},
		&net.IPNet{IP: net.ParseIP("2001:db8::5"), Mask: net.CIDRMask(64, 128)},
		&net.IPNet{IP: net.IPv4(192, 168, 1, 7), Mask: net.CIDRMask(24, 32)},
	}
	tests := []struct {
		host     string
		loopback bool
		want     []string
	}{
		{"127.0.0.1", true, nil},
		{"localhost", true, nil},
		{"::1", true, nil},
		{"0.0.0.0", false, []string{"nats://10.0.0.5:4222", "nats://192.168.1.7:4222"}},
		{"::", false, []string{"nats://10.0.0.5:4222", "nats://[2001:db8::5]:4222", "nats://192.168.1.7:4222"}},
		{"10.0.0.5", false, []string{"nats://10.0.0.5:4222"}},
	}
	for _, tt := range tests {
		s := &Server{host: tt.host, port: 4222}
		if got := s.Loopback(); got != tt.loopback {
			t.Errorf("%s: Loopback %v, want %v", tt.host, got, tt.loopback)
		}
		if got := s.RemoteURLs(addrs); !slices.Equal(got, tt.want) {
			t.Errorf("%s: RemoteURLs %v, want %v", tt.host, got, tt.want)
		}
	}
}
