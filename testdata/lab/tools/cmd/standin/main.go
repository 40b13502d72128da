// Command standin is a long-running stand-in for an ADNS process the lab cannot run for real
// (dnsagent, keepalived): it stays up under supervisord and writes logrus-style lines.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	name := flag.String("name", "standin", "process name in log lines")
	logPath := flag.String("log", "", "log file to append to")
	every := flag.Duration("every", 30*time.Second, "how often to write a line")
	flag.Parse()
	var out *os.File = os.Stdout
	if *logPath != "" {
		f, err := os.OpenFile(*logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		out = f
	}
	line := func(level, msg string) {
		fmt.Fprintf(out, "time=%q level=%s msg=%q service=%s\n", time.Now().Format(time.RFC3339), level, msg, *name)
	}
	line("info", "started")
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	t := time.NewTicker(*every)
	for {
		select {
		case <-t.C:
			if *name == "dnsagent" {
				line("error", "failed to update timeout dispatch job: DB unavailable") // harmless (§6)
			} else {
				line("info", "heartbeat")
			}
		case <-sig:
			line("info", "stopping")
			return
		}
	}
}
