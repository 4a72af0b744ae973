// SwiftPM needs one C source file per C target; every shim lives in include/clantern_system.h.
#include "clantern_system.h"
