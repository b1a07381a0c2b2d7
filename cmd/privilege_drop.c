#include "privilege_drop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * CapEff of /proc/self/status: after setuid() from root to another
 * user the kernel clears it (unless SECBIT_KEEP_CAPS was set): checked,
 * not assumed.  Where /proc is not mounted there is nothing to read,
 * and the setuid() that succeeded is trusted.
 */
static bool no_capability_left(char *msg, size_t msg_len)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	bool ok = true;

	if (f == NULL)
		return true;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long long caps;

		if (sscanf(line, "CapEff: %llx", &caps) == 1 && caps != 0) {
			snprintf(msg, msg_len, "capabilities left after dropping root (CapEff %llx); not capturing",
				 caps);
			ok = false;
		}
	}
	fclose(f);
	return ok;
}

bool privilege_drop(const char *user, char *msg, size_t msg_len)
{
	const struct passwd *pw;

	if (geteuid() != 0)
		return true;
	if (user == NULL)
		user = "nobody";
	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL) {
		snprintf(msg, msg_len, "-Z %s: no such user%s%s", user,
			 errno != 0 ? ": " : "", errno != 0 ? strerror(errno) : "");
		return false;
	}
	/* Groups first: once the user id is not root, they cannot change. */
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 ||
	    setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
		snprintf(msg, msg_len, "cannot become user %s: %s", user,
			 strerror(errno));
		return false;
	}
	return no_capability_left(msg, msg_len);
}
