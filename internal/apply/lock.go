package apply

import (
	"errors"
	"fmt"
	"time"
)

// ErrLocked means another dockgen holds the lock on the directory.
var ErrLocked = errors.New("another dockgen is running")

// lockWait is how long Lock waits for another run to finish; a variable
// for tests.
var lockWait = 5 * time.Second

// Lock takes an exclusive advisory lock on dir for one run, waiting up to
// 5 s for another dockgen to finish. Hold it from before Decide until Write
// returns, so two runs never decide on the same disk and write over each
// other. The lock dies with the process (nothing to clean up, nothing to go
// stale); on unix it is flock(2) on the directory itself, leaving no file.
func Lock(dir string) (unlock func(), err error) {
	deadline := time.Now().Add(lockWait)
	for {
		unlock, busy, err := tryLock(dir)
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", dir, err)
		}
		if !busy {
			return unlock, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w in %s (waited %s); let it finish, then run again", ErrLocked, dir, lockWait)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
