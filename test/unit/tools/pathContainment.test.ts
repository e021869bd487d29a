import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { containedPath, isInside } from '../../../extension/tools/pathContainment';

const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'compactor-paths-')));
const root = path.join(base, 'ws');
const outside = path.join(base, 'secret');
fs.mkdirSync(path.join(root, 'src'), { recursive: true });
fs.mkdirSync(outside);
fs.writeFileSync(path.join(root, 'src', 'a.ts'), 'a');
fs.writeFileSync(path.join(outside, 'key.txt'), 'k');
fs.symlinkSync(outside, path.join(root, 'link-out'));
fs.symlinkSync(path.join(root, 'src'), path.join(root, 'link-in'));
after(() => fs.rmSync(base, { recursive: true, force: true }));

const realFs = { realpath: (p: string) => fs.realpathSync.native(p) };
const resolve = (p: string, roots = [root]) => containedPath(p, roots, realFs);

test('relative paths resolve against the first workspace folder', () => {
  assert.equal(resolve('src/a.ts'), path.join(root, 'src', 'a.ts'));
  assert.equal(resolve('./src/a.ts'), path.join(root, 'src', 'a.ts'));
  assert.equal(resolve('.'), root);
  assert.equal(resolve(''), root);
});

test('a new file in a new folder inside the workspace is allowed', () => {
  assert.equal(resolve('new/dir/file.ts'), path.join(root, 'new', 'dir', 'file.ts'));
});

test('.. that escapes the workspace is refused; .. that stays inside is fine', () => {
  assert.throws(() => resolve('../secret/key.txt'), /outside the workspace/);
  assert.throws(() => resolve('src/../../secret/key.txt'), /outside the workspace/);
  assert.equal(resolve('src/../src/a.ts'), path.join(root, 'src', 'a.ts'));
});

test('absolute paths are allowed inside a workspace folder and refused outside', () => {
  assert.equal(resolve(path.join(root, 'src', 'a.ts')), path.join(root, 'src', 'a.ts'));
  assert.throws(() => resolve('/etc/passwd'), /outside the workspace/);
  assert.throws(() => resolve(path.join(outside, 'key.txt')), /outside the workspace/);
  // A sibling whose name starts with the root's name is not inside it.
  assert.throws(() => resolve(`${root}-other/x`), /outside the workspace/);
});

test('a symlink that leads out of the workspace is refused, for existing and new files', () => {
  assert.throws(() => resolve('link-out/key.txt'), /symbolic link.*outside the workspace/);
  assert.throws(() => resolve('link-out/new-file.txt'), /symbolic link/);
  assert.throws(() => resolve('link-out'), /symbolic link/);
});

test('a symlink that stays inside the workspace is fine', () => {
  assert.equal(resolve('link-in/a.ts'), path.join(root, 'link-in', 'a.ts'));
});

test('any of several workspace folders contains a path', () => {
  assert.equal(resolve(path.join(outside, 'key.txt'), [root, outside]), path.join(outside, 'key.txt'));
});

test('no workspace folder, or a NUL in the path, is a clear error', () => {
  assert.throws(() => resolve('a', []), /No folder is open/);
  assert.throws(() => resolve('a\u0000b'), /not a valid path/);
});

test('isInside compares whole path segments', () => {
  assert.ok(isInside('/a/b', '/a'));
  assert.ok(isInside('/a', '/a'));
  assert.ok(!isInside('/ab', '/a'));
  assert.ok(!isInside('/', '/a'));
});
