// Tests for lib/conntopd-user.ts's pure part: finding --user's ids in passwd(5) text. The fork, relay and
// sysctls are tested against the real kernel in test/it/server-user.test.ts.
import t from 'tap';
import { lookupUser } from '../../lib/conntopd-user.js';

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\n# a comment\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\nconntop:x:998:997::/:/usr/sbin/nologin\nbroken line\n';

t.test('lookupUser: by name or uid; null when absent', async (t) => {
  t.same(lookupUser('nobody', PASSWD), { uid: 65534, gid: 65534 });
  t.same(lookupUser('conntop', PASSWD), { uid: 998, gid: 997 }, 'the primary group from the entry');
  t.same(lookupUser('998', PASSWD), { uid: 998, gid: 997 }, 'a numeric uid');
  t.equal(lookupUser('alice', PASSWD), null);
  t.equal(lookupUser('12345', PASSWD), null, 'a uid without an entry');
  t.equal(lookupUser('', PASSWD), null);
});
