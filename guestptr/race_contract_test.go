package guestptr_test

import (
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/memory"
)

// TestUnorderedViewAndWriteIsARace runs racyViewAndWrite in a -race build
// of this package and expects the race detector to report it: a Write in
// one goroutine and a write through a MutView of the same bytes taken in
// another, with nothing ordering them, are a data race in the host
// program, as the package documentation says (the concurrency contract).
func TestUnorderedViewAndWriteIsARace(t *testing.T) {
	if os.Getenv("GUESTKIT_RACY") == "1" {
		racyViewAndWrite()
		return
	}
	if testing.Short() {
		t.Skip("builds this package with -race")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build with -race")
	}
	cmd := exec.Command(goTool, "test", "-race", "-count=1", "-run", "^TestUnorderedViewAndWriteIsARace$", ".")
	cmd.Env = append(os.Environ(), "GUESTKIT_RACY=1")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "WARNING: DATA RACE") {
		t.Fatalf("the race detector did not report the unordered view and write (err %v):\n%s", err, out)
	}
}

func racyViewAndWrite() {
	m := memory.New(0x100)
	s := guestptr.NewSlice[uint32](m, 0x10, 4)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for range 1000 {
			_ = s.Ptr().Write(7)
		}
	}()
	go func() {
		defer wg.Done()
		for range 1000 {
			if v, err := s.AsSliceMut(); err == nil {
				v.Slice()[0] = 9
				_ = v.Release()
			}
		}
	}()
	wg.Wait()
}
