package wasihost

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory/wazeromem"
)

// ModuleName is the import module name of WASI preview1.
const ModuleName = "wasi_snapshot_preview1"

// Config is what a guest sees of the world: its arguments, environment,
// standard streams, randomness and clocks. The zero Config is a guest with
// no arguments, no environment, an empty stdin, discarded output, real
// randomness and real clocks.
type Config struct {
	// Args are the guest's arguments; Args[0] is the program name by
	// convention. No argument may contain a NUL byte.
	Args []string
	// Env are the guest's environment variables as "NAME=value". No entry
	// may contain a NUL byte.
	Env []string
	// Stdin is read by fd_read on descriptor 0; nil reads as empty.
	Stdin io.Reader
	// Stdout and Stderr are written by fd_write on descriptors 1 and 2; nil
	// discards.
	Stdout, Stderr io.Writer
	// Rand fills random_get's buffers; nil means crypto/rand.Reader.
	Rand io.Reader
	// Now is the realtime clock (ClockRealtime); nil means time.Now.
	Now func() time.Time
	// Nanotime is the monotonic clock (ClockMonotonic) in nanoseconds; nil
	// means the time since the configuration was put to use, read from
	// Go's monotonic clock.
	Nanotime func() int64
	// Sleep blocks for d, for poll_oneoff's clock subscriptions; nil means
	// a sleep that returns early when ctx is done.
	Sleep func(ctx context.Context, d time.Duration)
}

// Resolutions clock_res_get reports: those of wazero's real clocks.
const (
	RealtimeResolution  = Timestamp(time.Microsecond)
	MonotonicResolution = Timestamp(1)
)

// state is a Config put to use: the values guests read, precomputed, and
// the descriptors still open. Every guest that runs with one state shares
// its descriptors.
type state struct {
	cfg      Config
	args     strs
	env      strs
	start    time.Time
	closed   atomic.Uint32 // bit fd set once stdio descriptor fd is closed
	preopens []string      // names of descriptors 3, 4, ...: none outside tests
}

// strs is a list of strings as args_get and environ_get write them: the
// bytes of each, NUL-terminated, one after the other, and where each
// starts.
type strs struct {
	buf     []byte
	offsets []uint64
}

func newStrs(what string, list []string) (strs, error) {
	var s strs
	for i, v := range list {
		if strings.IndexByte(v, 0) >= 0 {
			return strs{}, fmt.Errorf("wasihost: %s[%d] contains a NUL byte", what, i)
		}
		s.offsets = append(s.offsets, uint64(len(s.buf)))
		s.buf = append(append(s.buf, v...), 0)
	}
	if uint64(len(s.buf)) > 1<<32-1 {
		return strs{}, fmt.Errorf("wasihost: %s take %d bytes, more than a wasm32 guest can hold", what, len(s.buf))
	}
	return s, nil
}

func newState(cfg Config) (*state, error) {
	args, err := newStrs("Args", cfg.Args)
	if err != nil {
		return nil, err
	}
	env, err := newStrs("Env", cfg.Env)
	if err != nil {
		return nil, err
	}
	if cfg.Stdin == nil {
		cfg.Stdin = strings.NewReader("")
	}
	if cfg.Stdout == nil {
		cfg.Stdout = io.Discard
	}
	if cfg.Stderr == nil {
		cfg.Stderr = io.Discard
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &state{cfg: cfg, args: args, env: env, start: time.Now()}
	if s.cfg.Nanotime == nil {
		s.cfg.Nanotime = func() int64 { return int64(time.Since(s.start)) }
	}
	if s.cfg.Sleep == nil {
		s.cfg.Sleep = sleep
	}
	return s, nil
}

// sleep blocks for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	if ctx.Done() == nil {
		time.Sleep(d)
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// Host is a WASI preview1 host module: the functions of
// wasi_snapshot_preview1, implemented with package guestptr over the
// memory of whichever module calls them. One Host may be instantiated in
// many runtimes and serve any number of guest instances, one after the
// other or at once.
type Host struct {
	def *state
}

// guestMemory is the guestkit memory of a guest: what wazeromem.Of
// returns. Every function of the host works over it.
type guestMemory = *wazeromem.Memory

// New returns a host whose guests see cfg, unless the context of a call
// carries another configuration (see WithConfig). It fails if an argument
// or environment entry contains a NUL byte.
func New(cfg Config) (*Host, error) {
	if err := checkTypes(); err != nil {
		return nil, err
	}
	s, err := newState(cfg)
	if err != nil {
		return nil, err
	}
	return &Host{def: s}, nil
}

// Instantiate instantiates a host module for cfg as "wasi_snapshot_preview1"
// in r. Guests instantiated in r afterwards import it. Closing r closes it
// too.
func Instantiate(ctx context.Context, r wazero.Runtime, cfg Config) (api.Closer, error) {
	h, err := New(cfg)
	if err != nil {
		return nil, err
	}
	return h.Instantiate(ctx, r)
}

// Instantiate instantiates the host as "wasi_snapshot_preview1" in r.
func (h *Host) Instantiate(ctx context.Context, r wazero.Runtime) (api.Closer, error) {
	return h.Builder(r).Instantiate(ctx)
}

// Builder returns a host module builder for r with every preview1
// function exported, for a caller that wants to add or override functions
// before instantiating.
func (h *Host) Builder(r wazero.Runtime) wazero.HostModuleBuilder {
	b := r.NewHostModuleBuilder(ModuleName)
	for _, f := range h.functions() {
		fb := b.NewFunctionBuilder().
			WithGoModuleFunction(f.fn, f.params, f.results).
			WithParameterNames(f.names...)
		if len(f.results) == 1 {
			fb = fb.WithResultNames("errno")
		}
		fb.Export(f.name)
	}
	return b
}

// guestTypes are the types the host reads or writes in guest memory.
var guestTypes = []reflect.Type{
	reflect.TypeFor[Size](), reflect.TypeFor[Timestamp](), reflect.TypeFor[Filesize](),
	reflect.TypeFor[guestptr.Ptr[byte]](), reflect.TypeFor[Ciovec](), reflect.TypeFor[Iovec](),
	reflect.TypeFor[Fdstat](), reflect.TypeFor[Prestat](), reflect.TypeFor[Subscription](),
	reflect.TypeFor[Event](),
}

// checkTypes computes the wasm32 layout of every guest type once, so that
// a mistake in a `guest` tag fails New rather than a guest's call.
var checkTypes = sync.OnceValue(func() error {
	for _, t := range guestTypes {
		if _, err := layout.Of(t, layout.Wasm32); err != nil {
			return fmt.Errorf("wasihost: %w", err)
		}
	}
	return nil
})

// configKey is the context key of a per-run configuration.
type configKey struct{}

// WithConfig returns a context that makes the guest instantiated or called
// with it see cfg rather than the configuration of its host: pass it to
// wazero's InstantiateModule (and to any later calls of the guest's
// functions). Each WithConfig has its own descriptors, so run one guest
// per context. It fails if an argument or environment entry contains a
// NUL byte.
func WithConfig(ctx context.Context, cfg Config) (context.Context, error) {
	s, err := newState(cfg)
	if err != nil {
		return ctx, err
	}
	return context.WithValue(ctx, configKey{}, s), nil
}

// state returns the configuration a call runs with.
func (h *Host) state(ctx context.Context) *state {
	if s, ok := ctx.Value(configKey{}).(*state); ok {
		return s
	}
	return h.def
}

// errNoMemory is the error of a call from a module without memory.
var errNoMemory = errors.New("wasihost: the calling module has no memory")

// memory returns the guestkit memory of m, the calling module's memory:
// wazeromem.Of's adapter, so that the host's accesses and views taken by
// other code through wazeromem.Of share one borrow tracker.
func (h *Host) memory(m api.Module) (guestMemory, error) {
	am := m.Memory()
	if am == nil {
		return nil, errNoMemory
	}
	return wazeromem.Of(am), nil
}
