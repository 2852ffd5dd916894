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

// TestUnorderedViewAndWriteIsARace runs racyWrites in a -race build of this
// package and expects the race detector to report it: two goroutines
// writing the same guest bytes with nothing ordering them are a data race
// in the host program, as the package documentation says (the concurrency
// contract), whatever guestkit calls they write through. (A view and an
// access race the same way when nothing orders them, but the tracker's
// atomics may order them by chance, so the detector's verdict on that pair
// depends on timing; two Writes are never ordered by guestkit.)
func TestUnorderedViewAndWriteIsARace(t *testing.T) {
	if os.Getenv("GUESTKIT_RACY") == "1" {
		racyWrites()
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

func racyWrites() {
	m := memory.New(0x100)
	p := guestptr.New[uint32](m, 0x10)
	var wg sync.WaitGroup
	for g := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				_ = p.Write(uint32(g*1000 + i))
			}
		}()
	}
	wg.Wait()
}
