// Command etcd runs a single-member etcd for the test control plane.
//
// It wraps go.etcd.io/etcd/server/v3/embed so the version is pinned by this module's go.mod
// and built from the Go module proxy; no etcd release binary is needed. It exits when its
// standard input closes, so a test process that dies without cleaning up (SIGKILL, abort)
// cannot leak it: the pipe's write end lives only in the parent.
package main

import (
	"flag"
	"io"
	"log"
	"net/url"
	"os"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

func main() {
	dataDir := flag.String("data-dir", "", "directory for the member's data (required)")
	clientURL := flag.String("listen-client-url", "http://127.0.0.1:2379", "client URL to serve")
	peerURL := flag.String("listen-peer-url", "http://127.0.0.1:2380", "peer URL to serve")
	watchStdin := flag.Bool("exit-on-stdin-close", false, "exit when standard input reaches EOF")
	flag.Parse()
	if *dataDir == "" {
		log.Fatal("--data-dir is required")
	}
	client, err := url.Parse(*clientURL)
	if err != nil {
		log.Fatalf("--listen-client-url: %v", err)
	}
	peer, err := url.Parse(*peerURL)
	if err != nil {
		log.Fatalf("--listen-peer-url: %v", err)
	}

	cfg := embed.NewConfig()
	cfg.Name = "test"
	cfg.Dir = *dataDir
	cfg.ListenClientUrls = []url.URL{*client}
	cfg.AdvertiseClientUrls = []url.URL{*client}
	cfg.ListenPeerUrls = []url.URL{*peer}
	cfg.AdvertisePeerUrls = []url.URL{*peer}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.LogLevel = "warn"
	// Tests throw the data away; skipping fsync keeps writes fast on a shared disk.
	cfg.UnsafeNoFsync = true

	srv, err := embed.StartEtcd(cfg)
	if err != nil {
		log.Fatalf("start etcd: %v", err)
	}
	defer srv.Close()

	if *watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			srv.Close()
			os.Exit(0)
		}()
	}

	select {
	case <-srv.Server.ReadyNotify():
		log.Printf("etcd ready on %s", client)
	case <-time.After(60 * time.Second):
		srv.Server.Stop()
		log.Fatal("etcd did not become ready within 60s")
	}
	log.Fatal(<-srv.Err())
}
