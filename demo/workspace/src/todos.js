export function addTodo(todos, title, due) {
  const id = todos.length ? Math.max(...todos.map((t) => t.id)) + 1 : 1;
  return [...todos, { id, title, done: false, due: due ? new Date(due).toISOString() : undefined }];
}

export function completeTodo(todos, id) {
  return todos.map((t) => (t.id === id ? { ...t, done: true } : t));
}

/** Todos due before the end of the given day, oldest first. */
export function dueBy(todos, day) {
  const end = new Date(day);
  end.setUTCHours(23, 59, 59, 999);
  return todos.filter((t) => t.due && !t.done && new Date(t.due) <= end).sort((a, b) => a.due.localeCompare(b.due));
}
