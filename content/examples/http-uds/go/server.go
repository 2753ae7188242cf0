// HTTP over a Unix socket: an ordinary net/http server, given a Unix listener instead of a port.
//
// Shows: http.Server.Serve on net.Listen("unix", path); Go 1.22 route patterns ("GET /health");
// logging each request with its status; a graceful Shutdown on Ctrl-C, which also removes the
// socket file. Try it with: curl --unix-socket /tmp/socketlab-http-uds.sock http://localhost/health
//
// Build: go build -o server server.go
// Run:   ./server /tmp/socketlab-http-uds.sock    then: ./client /tmp/socketlab-http-uds.sock
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

const (
	maxPath = 107     // sun_path is 108 bytes including the terminating NUL
	maxBody = 1 << 20 // refuse request bodies over 1 MiB
)

func main() {
	path := "/tmp/socketlab-http-uds.sock"
	if len(os.Args) > 2 {
		fmt.Fprintln(os.Stderr, "usage: server [socket-path]")
		os.Exit(2)
	}
	if len(os.Args) == 2 {
		path = os.Args[1]
	}
	if len(path) > maxPath {
		fmt.Fprintf(os.Stderr, "socket path too long (%d bytes, max %d)\n", len(path), maxPath)
		os.Exit(2)
	}
	if err := removeStale(path); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"ok"}`)
	})
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			http.Error(w, "request body too large or unreadable", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Write(body)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not found", http.StatusNotFound)
	})

	ln, err := net.Listen("unix", path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "listen failed: %v\n", err)
		os.Exit(1)
	}
	srv := &http.Server{Handler: logRequests(mux), ReadHeaderTimeout: 5 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdownCtx) // stops accepting, waits for requests in flight, closes ln
	}()
	// Ready only now: a signal that comes after this line finds its handler in place.
	fmt.Printf("listening on %s\n", path)

	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(os.Stderr, "serve failed: %v\n", err)
		os.Exit(1)
	}
	fmt.Println("shutting down")
}

// statusRecorder remembers the status a handler wrote, for the log line.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		fmt.Printf("%s %s -> %d\n", r.Method, r.URL.Path, rec.status)
	})
}

// removeStale removes a socket file nobody listens on, and refuses to touch anything else.
func removeStale(path string) error {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot check %s: %w", path, err)
	}
	if info.Mode()&fs.ModeSocket == 0 {
		return fmt.Errorf("%s exists and is not a socket; not removing it", path)
	}
	probe, err := net.Dial("unix", path)
	if err == nil {
		probe.Close()
		return fmt.Errorf("another server is already listening on %s", path)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("cannot check %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("cannot remove stale socket file %s: %w", path, err)
	}
	fmt.Printf("removed stale socket file %s\n", path)
	return nil
}
