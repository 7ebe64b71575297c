package registrytest

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill the registry if the test process dies
// before its cleanup runs.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
