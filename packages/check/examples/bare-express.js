// A to-do API on Express 5 with nothing but its defaults: what `faultline check` finds in a bare framework.
// Run: node packages/check/examples/bare-express.js [port]   (its document: todos-openapi.yaml)
import express from 'express';

const port = Number(process.argv[2] ?? 3005);
const todos = [{ id: 1, title: 'Write the error contract', done: false }];
const app = express();

app.use(express.json());
app.use((request, response, next) => {
  if (request.headers.authorization !== 'Bearer demo-token') return response.status(401).json({ error: 'unauthorized' });
  next();
});

app.get('/todos', (_request, response) => response.json(todos));
app.get('/todos/:id', (request, response) => {
  const todo = todos.find((candidate) => candidate.id === Number(request.params.id));
  if (todo === undefined) return response.status(404).json({ error: 'not found' });
  response.json(todo);
});
app.post('/todos', (request, response) => {
  if (typeof request.body?.title !== 'string' || request.body.title === '')
    return response.status(400).json({ error: 'title is required' });
  const todo = { id: todos.length + 1, done: false, title: request.body.title };
  todos.push(todo);
  response.status(201).json(todo);
});

app.listen(port, '127.0.0.1');
