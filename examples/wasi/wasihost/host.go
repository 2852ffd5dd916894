package wasihost

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
	"github.com/guestkit/guestkit/memory/wazeromem"
)

// ModuleName is the import module name of WASI preview1.
const ModuleName = "wasi_snapshot_preview1"

// Config is what a guest sees of the world: its arguments, environment,
// standard streams, directories, sockets, randomness and clocks. The zero
// Config is a guest with no arguments, no environment, an empty stdin,
// discarded output, no directories, real randomness and real clocks.
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
	// Preopens are the directories the guest may reach, as descriptors 3,
	// 4, ... in order: wasi-libc resolves a path against the preopen
	// whose name is its longest prefix.
	Preopens []Preopen
	// Listeners are preopened sockets, the descriptors after the
	// preopened directories, for sock_accept.
	Listeners []net.Listener
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

// Preopen is a directory offered to the guest: a host directory (Dir) or
// a file system (FS), under the guest path GuestPath, such as "/" or
// "/data". Every path the guest opens under it resolves inside it: ".."
// above it, absolute paths and symbolic links that point out of it fail
// (the host directory is an os.Root).
type Preopen struct {
	// GuestPath is the name the guest sees, as fd_prestat_dir_name
	// reports it.
	GuestPath string
	// Dir is the host directory, when FS is nil.
	Dir string
	// FS is a file system to mount instead of Dir, always read-only.
	FS fs.FS
	// ReadOnly refuses every change to the directory and the files in it
	// (EROFS when creating, removing or renaming; EBADF when writing a
	// file, which cannot be opened for writing).
	ReadOnly bool
}

// Resolutions clock_res_get reports: those of wazero's real clocks.
const (
	RealtimeResolution  = Timestamp(time.Microsecond)
	MonotonicResolution = Timestamp(1)
)

// state is a Config put to use: the values guests read, precomputed, and
// the descriptors. Every guest that runs with one state shares its
// descriptors.
type state struct {
	cfg    Config
	args   strs
	env    strs
	start  time.Time
	fds    table
	mounts []*dirRef // the preopens' roots, for rename and link
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
	const streamRights = stdioRights
	s.fds.entries = []*entry{
		{typ: FiletypeCharacterDevice, r: cfg.Stdin, base: streamRights},
		{typ: FiletypeCharacterDevice, w: cfg.Stdout, base: streamRights},
		{typ: FiletypeCharacterDevice, w: cfg.Stderr, base: streamRights},
	}
	for _, p := range cfg.Preopens {
		e, err := s.openPreopen(p)
		if err != nil {
			s.fds.closeAll()
			return nil, err
		}
		s.fds.entries = append(s.fds.entries, e)
	}
	for _, ln := range cfg.Listeners {
		s.fds.entries = append(s.fds.entries, &entry{typ: FiletypeSocketStream, ln: ln, base: sockRights})
	}
	return s, nil
}

// openPreopen opens a preopened directory.
func (s *state) openPreopen(p Preopen) (*entry, error) {
	if p.GuestPath == "" {
		return nil, errors.New("wasihost: a preopen needs a GuestPath")
	}
	e := &entry{typ: FiletypeDirectory, preopen: p.GuestPath, base: dirRights, inheriting: dirRights | fileRights, readonly: p.ReadOnly}
	if p.FS != nil {
		mount := &dirRef{fsys: p.FS, rel: "."}
		e.dir = &dirRef{fsys: p.FS, mount: mount, rel: "."}
		e.readonly = true
		f, err := p.FS.Open(".")
		if err != nil {
			return nil, fmt.Errorf("wasihost: preopen %s: %w", p.GuestPath, err)
		}
		e.ff = f
		s.mounts = append(s.mounts, mount)
		return e, nil
	}
	mroot, err := os.OpenRoot(p.Dir)
	if err != nil {
		return nil, fmt.Errorf("wasihost: preopen %s: %w", p.GuestPath, err)
	}
	mount := &dirRef{root: mroot, rel: "."}
	s.mounts = append(s.mounts, mount)
	root, err := mroot.OpenRoot(".")
	if err != nil {
		return nil, fmt.Errorf("wasihost: preopen %s: %w", p.GuestPath, err)
	}
	f, err := root.Open(".")
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("wasihost: preopen %s: %w", p.GuestPath, err)
	}
	e.dir = &dirRef{root: root, mount: mount, rel: "."}
	e.f = f
	return e, nil
}

// close closes every descriptor and preopen of the state.
func (s *state) close() error {
	err := s.fds.closeAll()
	for _, m := range s.mounts {
		if m.root != nil {
			if cerr := m.root.Close(); err == nil {
				err = cerr
			}
		}
	}
	return err
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
type guestMemory = *memory.Memory

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

// Close closes the descriptors of the host's configuration: the files
// and directories its guests opened and its preopens. Configurations
// given with WithConfig are closed by CloseConfig.
func (h *Host) Close() error { return h.def.close() }

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
	configsMade.Store(true)
	return context.WithValue(ctx, configKey{}, s), nil
}

// configsMade is set once any WithConfig context exists: until then no
// call needs to search its context for one.
var configsMade atomic.Bool

// CloseConfig closes the descriptors of the configuration ctx carries
// (see WithConfig): the files and directories its guest opened and its
// preopens. It does nothing for a context without one.
func CloseConfig(ctx context.Context) error {
	if s, ok := ctx.Value(configKey{}).(*state); ok {
		return s.close()
	}
	return nil
}

// state returns the configuration a call runs with.
func (h *Host) state(ctx context.Context) *state {
	if !configsMade.Load() {
		return h.def
	}
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
