package cluster

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Server is a NATS server with JetStream running inside this process.
type Server struct {
	srv *server.Server
	dir string
}

// StartServer starts an embedded NATS server with JetStream, its store in a
// new temporary directory. listen is "HOST:PORT"; empty means 127.0.0.1 on a
// random port (loopback only), and a port of 0 picks a random one.
func StartServer(listen string) (*Server, error) {
	host, port := "127.0.0.1", server.RANDOM_PORT
	if listen != "" {
		h, p, err := net.SplitHostPort(listen)
		if err != nil {
			return nil, fmt.Errorf("cluster: listen address %q: want HOST:PORT: %w", listen, err)
		}
		if h != "" {
			host = h
		}
		if port, err = strconv.Atoi(p); err != nil || port < 0 || port > 65535 {
			return nil, fmt.Errorf("cluster: listen address %q: bad port %q", listen, p)
		}
		if port == 0 {
			port = server.RANDOM_PORT
		}
	}
	dir, err := os.MkdirTemp("", "gem-nats-")
	if err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	srv, err := server.NewServer(&server.Options{
		Host: host, Port: port, JetStream: true, StoreDir: dir, NoSigs: true, NoLog: true,
		ServerName: "gem",
	})
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("cluster: nats server: %w", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("cluster: nats server on %s did not start within 10s", listen)
	}
	return &Server{srv: srv, dir: dir}, nil
}

// URL is the address clients connect to, nats://HOST:PORT.
func (s *Server) URL() string { return s.srv.ClientURL() }

// Shutdown stops the server and removes its store.
func (s *Server) Shutdown() {
	s.srv.Shutdown()
	s.srv.WaitForShutdown()
	os.RemoveAll(s.dir)
}
