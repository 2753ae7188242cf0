// http-kv, reference solution: a key-value store over HTTP on a Unix socket. net/http serves each
// connection on its own goroutine, so the map is guarded by a mutex.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"regexp"
	"sync"
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
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.Method {
	case http.MethodPut:
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			jsonError(w, http.StatusBadRequest, err.Error())
			return
		}
		s.values[key] = body
		w.WriteHeader(http.StatusNoContent)
	case http.MethodGet:
		value, ok := s.values[key]
		if !ok {
			jsonError(w, http.StatusNotFound, "no such key")
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(value)
	case http.MethodDelete:
		if _, ok := s.values[key]; !ok {
			jsonError(w, http.StatusNotFound, "no such key")
			return
		}
		delete(s.values, key)
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
	_ = os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	s := &store{values: map[string][]byte{}}
	mux.Handle("/kv/{key}", s)
	mux.Handle("/kv/{$}", s) // an empty key: answered 400 by the handler
	fmt.Println("listening on", path)
	log.Fatal(http.Serve(ln, mux))
}
