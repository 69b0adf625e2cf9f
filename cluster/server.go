package cluster

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// ServerConfig configures an embedded NATS server.
type ServerConfig struct {
	// Listen is "HOST:PORT"; empty means 127.0.0.1 on a random port
	// (loopback only), and a port of 0 picks a random one.
	Listen string
	// Secret is the token every client must present (the run's secret);
	// it must not be empty.
	Secret string
	// TLSCert and TLSKey, when set, are PEM files of the server's
	// certificate and key: clients must then connect with TLS.
	TLSCert, TLSKey string
}

// Server is a NATS server with JetStream running inside this process. Its
// streams are kept in memory (see setup); its run directory, under
// RunRoot, holds a pid file and the secret file, and is removed by
// Shutdown, or by the next StartServer on this machine when this process
// died without one (kill -9).
type Server struct {
	srv  *server.Server
	dir  string
	host string
	port int
	tls  bool
}

// RunRoot is the directory that holds this user's run directories of
// embedded servers: gem-nats-UID in the system's temporary directory.
func RunRoot() string { return filepath.Join(os.TempDir(), fmt.Sprintf("gem-nats-%d", os.Getuid())) }

// StartServer starts an embedded NATS server with JetStream that requires
// cfg.Secret from every client. It first removes the run directories of
// servers whose process is gone.
func StartServer(cfg ServerConfig) (*Server, error) {
	if cfg.Secret == "" {
		panic("cluster: StartServer without a secret")
	}
	host, port := "127.0.0.1", server.RANDOM_PORT
	if cfg.Listen != "" {
		h, p, err := net.SplitHostPort(cfg.Listen)
		if err != nil {
			return nil, fmt.Errorf("cluster: listen address %q: want HOST:PORT: %w", cfg.Listen, err)
		}
		if h != "" {
			host = h
		}
		if port, err = strconv.Atoi(p); err != nil || port < 0 || port > 65535 {
			return nil, fmt.Errorf("cluster: listen address %q: bad port %q", cfg.Listen, p)
		}
		if port == 0 {
			port = server.RANDOM_PORT
		}
	}
	opts := &server.Options{
		Host: host, Port: port, JetStream: true, NoSigs: true, NoLog: true, ServerName: "gem",
		Authorization: cfg.Secret,
	}
	if cfg.TLSCert != "" || cfg.TLSKey != "" {
		if cfg.TLSCert == "" || cfg.TLSKey == "" {
			return nil, errors.New("cluster: TLS needs both a certificate and a key file")
		}
		pair, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("cluster: TLS certificate %s, key %s: %w", cfg.TLSCert, cfg.TLSKey, err)
		}
		opts.TLS, opts.TLSTimeout = true, 5
		opts.TLSConfig = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	}
	CleanRuns()
	dir, err := newRunDir()
	if err != nil {
		return nil, err
	}
	opts.StoreDir = filepath.Join(dir, "jetstream")
	srv, err := server.NewServer(opts)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("cluster: nats server: %w", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("cluster: nats server on %s did not start within 10s", cfg.Listen)
	}
	addr, _ := srv.Addr().(*net.TCPAddr)
	s := &Server{srv: srv, dir: dir, host: host, tls: opts.TLSConfig != nil}
	if addr != nil {
		s.port = addr.Port
	}
	return s, nil
}

// newRunDir creates a run directory under RunRoot holding this process's
// pid.
func newRunDir() (string, error) {
	if err := os.MkdirAll(RunRoot(), 0o700); err != nil {
		return "", fmt.Errorf("cluster: %w", err)
	}
	// The root is in a shared directory: refuse one that another user could
	// have prepared (a symbolic link, or open to others).
	if fi, err := os.Lstat(RunRoot()); err != nil || !fi.IsDir() || fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("cluster: %s is not a directory private to this user; remove it", RunRoot())
	}
	dir, err := os.MkdirTemp(RunRoot(), "run-")
	if err != nil {
		return "", fmt.Errorf("cluster: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pid"), []byte(strconv.Itoa(os.Getpid())), 0o600); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("cluster: %w", err)
	}
	return dir, nil
}

// CleanRuns removes the run directories under RunRoot whose pid file names
// a process that no longer exists, or that have no readable pid file and
// are more than a day old (a run killed while creating its directory). It
// returns the directories removed.
func CleanRuns() []string {
	entries, err := os.ReadDir(RunRoot())
	if err != nil {
		return nil
	}
	var removed []string
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "run-") {
			continue
		}
		dir := filepath.Join(RunRoot(), e.Name())
		b, err := os.ReadFile(filepath.Join(dir, "pid"))
		pid, perr := strconv.Atoi(strings.TrimSpace(string(b)))
		switch {
		case err == nil && perr == nil && pid > 0:
			if alive(pid) {
				continue
			}
		default:
			info, err := e.Info()
			if err != nil || time.Since(info.ModTime()) < 24*time.Hour {
				continue
			}
		}
		if os.RemoveAll(dir) == nil {
			removed = append(removed, dir)
		}
	}
	return removed
}

// alive reports whether a process with this pid exists (signal 0 is
// delivered, or refused for lack of permission).
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}

// Dir is the server's run directory (where WriteSecret puts the secret).
func (s *Server) Dir() string { return s.dir }

// URL is the address a client on this machine connects to: nats://HOST:PORT
// (tls://HOST:PORT with TLS), with 127.0.0.1 for a server listening on
// every interface.
func (s *Server) URL() string {
	host := s.host
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return s.url(host)
}

func (s *Server) url(host string) string {
	scheme := "nats"
	if s.tls {
		scheme = "tls"
	}
	return scheme + "://" + net.JoinHostPort(host, strconv.Itoa(s.port))
}

// Loopback reports whether the server listens on a loopback address only,
// so that other machines cannot reach it.
func (s *Server) Loopback() bool {
	if s.host == "localhost" {
		return true
	}
	ip := net.ParseIP(s.host)
	return ip != nil && ip.IsLoopback()
}

// Port is the port the server listens on.
func (s *Server) Port() int { return s.port }

// RemoteURLs are the addresses other machines may use: the listening host
// itself, or, for a server listening on every interface (0.0.0.0, ::), one
// URL per non-loopback address of this machine's interfaces (addrs, as
// net.InterfaceAddrs returns them). Empty for a loopback server.
func (s *Server) RemoteURLs(addrs []net.Addr) []string {
	if s.Loopback() {
		return nil
	}
	ip := net.ParseIP(s.host)
	if ip == nil || !ip.IsUnspecified() {
		return []string{s.url(s.host)}
	}
	var urls []string
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok || n.IP.IsLoopback() || n.IP.IsLinkLocalUnicast() || n.IP.IsLinkLocalMulticast() {
			continue
		}
		if ip.To4() != nil && n.IP.To4() == nil {
			continue // listening on 0.0.0.0 serves IPv4 only
		}
		urls = append(urls, s.url(n.IP.String()))
	}
	return urls
}

// WriteSecret writes secret to the file "secret" of the run directory,
// readable by this user only, and returns its path. The file goes when the
// run directory does.
func (s *Server) WriteSecret(secret string) (string, error) {
	path := filepath.Join(s.dir, "secret")
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("cluster: %w", err)
	}
	return path, nil
}

// Shutdown stops the server and removes its run directory.
func (s *Server) Shutdown() {
	s.srv.Shutdown()
	s.srv.WaitForShutdown()
	os.RemoveAll(s.dir)
}
