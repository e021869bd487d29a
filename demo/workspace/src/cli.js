#!/usr/bin/env node
import { loadTodos, saveTodos } from './store.js';
import { addTodo, completeTodo, dueBy } from './todos.js';

const [command, ...args] = process.argv.slice(2);
const todos = await loadTodos();
switch (command) {
  case 'add':
    await saveTodos(addTodo(todos, args[0], args[1]));
    break;
  case 'done':
    await saveTodos(completeTodo(todos, Number(args[0])));
    break;
  case 'due':
    for (const t of dueBy(todos, args[0] ?? new Date())) console.log(`${t.id}\t${t.due.slice(0, 10)}\t${t.title}`);
    break;
  default:
    console.error('usage: todo add TITLE [DUE] | done ID | due [DAY]');
    process.exitCode = 2;
}
