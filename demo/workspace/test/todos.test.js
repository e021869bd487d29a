import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addTodo, dueBy } from '../src/todos.js';

test('dueBy includes todos due later the same day', () => {
  const todos = addTodo([], 'write report', '2026-11-20T18:00:00Z');
  assert.equal(dueBy(todos, '2026-11-20').length, 1);
});
