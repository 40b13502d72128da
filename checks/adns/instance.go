package adns

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"opsdeck/checks"
	"opsdeck/checks/probe"
	"opsdeck/config"
	"opsdeck/site/ssh"
)

// Target names an instance in findings and actions: host/container (host alone for runtime none).
func Target(in config.ADNSInstance) string {
	if in.Runtime == "none" || in.Container == "" {
		return in.Host
	}
	return in.Host + "/" + in.Container
}

// containerName is what a container name may hold; it reaches the remote side as one argv word,
// and as an anchored crictl regex.
var containerName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// ExecArgv is how a command reaches an instance: on the host (runtime none), through docker exec,
// or through crictl exec into the container id that ContainerID found (crictl execs by id only).
func ExecArgv(in config.ADNSInstance, id string, argv ...string) ([]string, error) {
	switch in.Runtime {
	case "none", "":
		return argv, nil
	case "docker":
		if !containerName.MatchString(in.Container) {
			return nil, fmt.Errorf("container name %q is not a plain name", in.Container)
		}
		return append([]string{"docker", "exec", in.Container}, argv...), nil
	case "crictl":
		if !containerName.MatchString(id) {
			return nil, fmt.Errorf("container id %q is not a plain id", id)
		}
		return append([]string{"crictl", "exec", id}, argv...), nil
	}
	return nil, fmt.Errorf("runtime %q is not docker, crictl or none", in.Runtime)
}

// IDArgv asks crictl for the id of the instance's running container (names are regexes to
// crictl: anchored, so adns-slave does not also find adns-slave-old).
func IDArgv(in config.ADNSInstance) ([]string, error) {
	if !containerName.MatchString(in.Container) {
		return nil, fmt.Errorf("container name %q is not a plain name", in.Container)
	}
	return []string{"crictl", "ps", "-q", "--state", "running", "--name", "^" + in.Container + "$"}, nil
}

// ParseContainerID reads `crictl ps -q`: exactly one id is an answer.
func ParseContainerID(name string, b []byte) (string, error) {
	ids := strings.Fields(string(b))
	switch len(ids) {
	case 0:
		return "", fmt.Errorf("no running container %s", name)
	case 1:
		return ids[0], nil
	}
	return "", fmt.Errorf("%d running containers named %s", len(ids), name)
}

// ContainerID finds a crictl instance's running container id on its host.
func ContainerID(ctx context.Context, r probe.Runner, h config.Host, in config.ADNSInstance) (string, error) {
	argv, err := IDArgv(in)
	if err != nil {
		return "", err
	}
	res, err := r.Run(ctx, h, argv...)
	if err != nil {
		return "", err
	}
	if res.ExitCode != 0 {
		return "", fmt.Errorf("%s: %s", ssh.Quote(argv...), probe.FirstLine(string(res.Stderr)))
	}
	return ParseContainerID(in.Container, res.Stdout)
}

// execIn runs argv inside the instance, recording every command as evidence. A container that is
// not running is crit (nothing in it can answer); any other failure to run is unknown.
func execIn(ctx context.Context, r probe.Runner, f *checks.Finding, h config.Host, in config.ADNSInstance, argv ...string) (ssh.Result, bool) {
	id := ""
	if in.Runtime == "crictl" {
		idArgv, err := IDArgv(in)
		if err != nil {
			*f = checks.Failed(err)
			return ssh.Result{}, false
		}
		res, ok := probe.RunOK(ctx, r, f, h, idArgv...)
		if !ok {
			return res, false
		}
		if id, err = ParseContainerID(in.Container, res.Stdout); err != nil {
			f.Status, f.Summary, f.Error = checks.Crit, err.Error(), err.Error()
			f.Details = "A hung or stopped ADNS container is restarted (§6.5.3)."
			return res, false
		}
	}
	full, err := ExecArgv(in, id, argv...)
	if err != nil {
		*f = checks.Failed(err)
		return ssh.Result{}, false
	}
	return probe.Run(ctx, r, f, h, full...)
}
