import { readFile, writeFile } from 'node:fs/promises';

export const STORE_PATH = process.env.TODO_STORE ?? '.todos.json';

export async function loadTodos(path = STORE_PATH) {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    if (err.code === 'ENOENT') return [];
    throw err;
  }
}

export async function saveTodos(todos, path = STORE_PATH) {
  await writeFile(path, JSON.stringify(todos, null, 2));
}
