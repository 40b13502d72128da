// Command dnsmng is the lab's stand-in for ADNS's dnsmng control API: GET /ha/hastate answers
// the active master's address, or "unavailable" while the database flag file exists (§6.4).
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.2.100:80", "address to serve on (the master VIP)")
	active := flag.String("active", "127.0.2.1", "the active master's address")
	dbFlag := flag.String("db-flag", "", "while this file exists the database is unreachable")
	logPath := flag.String("log", "", "adns_api.log to append to")
	flag.Parse()
	logf := func(level, msg string) {}
	if *logPath != "" {
		f, err := os.OpenFile(*logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			log.Fatal(err)
		}
		logf = func(level, msg string) {
			fmt.Fprintf(f, "time=%q level=%s msg=%q service=dnsmng\n", time.Now().Format(time.RFC3339), level, msg)
		}
	}
	http.HandleFunc("/ha/hastate", func(w http.ResponseWriter, r *http.Request) {
		if _, err := os.Stat(*dbFlag); *dbFlag != "" && err == nil {
			logf("error", "hastate: database unavailable")
			fmt.Fprintln(w, "unavailable")
			return
		}
		fmt.Fprintln(w, *active)
	})
	logf("info", "listening on "+*listen)
	log.Fatal(http.ListenAndServe(*listen, nil))
}
