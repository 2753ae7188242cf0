// http-kv, reference solution: a key-value store over HTTP on a Unix socket. net/http serves each
// connection on its own goroutine, so the map is guarded by a mutex, held only while the map is
// touched: never across reading a body or writing an answer, where a slow client would stall
// every other request. A file at the path is removed only when nobody listens there, and
// SIGINT/SIGTERM shut the server down, which removes the socket file.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"sync"
	"syscall"
	"time"
)

var validKey = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)

type store struct {
	mu     sync.Mutex
	values map[string][]byte
}

func jsonError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": message})
}

func (s *store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	if !validKey.MatchString(key) {
		jsonError(w, http.StatusBadRequest, "a key is 1 to 64 characters of a-z, 0-9 and -")
		return
	}
	switch r.Method {
	case http.MethodPut:
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			jsonError(w, http.StatusBadRequest, err.Error())
			return
		}
		s.mu.Lock()
		s.values[key] = body
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case http.MethodGet:
		value, ok := s.values[key] // the mistake: only writes take the lock
		if !ok {
			jsonError(w, http.StatusNotFound, "no such key")
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(value)
	case http.MethodDelete:
		s.mu.Lock()
		_, ok := s.values[key]
		delete(s.values, key)
		s.mu.Unlock()
		if !ok {
			jsonError(w, http.StatusNotFound, "no such key")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "GET, PUT, DELETE")
		jsonError(w, http.StatusMethodNotAllowed, "use GET, PUT or DELETE")
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s SOCKET\n", os.Args[0])
		os.Exit(2)
	}
	path := os.Args[1]
	if err := removeStale(path); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "listen failed: %v\n", err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	s := &store{values: map[string][]byte{}}
	mux.Handle("/kv/{key}", s)
	mux.Handle("/kv/{$}", s) // an empty key: answered 400 by the handler
	// http.Serve has no timeouts: a client that sends half a request would hold a connection forever.
	server := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second, IdleTimeout: 30 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = server.Shutdown(shutdown) // closes the listener, which removes the socket file
	}()
	fmt.Println("listening on", path)
	if err := server.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(os.Stderr, "serve failed: %v\n", err)
		os.Exit(1)
	}
	fmt.Println("shutting down")
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
