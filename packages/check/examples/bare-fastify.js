// A to-do API on Fastify 5 with nothing but its defaults: what `faultline check` finds in a bare framework.
// Run: node packages/check/examples/bare-fastify.js [port]   (its document: todos-openapi.yaml)
import Fastify from 'fastify';

const port = Number(process.argv[2] ?? 3004);
const todos = [{ id: 1, title: 'Write the error contract', done: false }];
const app = Fastify();

app.addHook('onRequest', async (request, reply) => {
  if (request.headers.authorization !== 'Bearer demo-token') return reply.code(401).send({ error: 'unauthorized' });
});

app.get('/todos', async () => todos);
app.get('/todos/:id', async (request, reply) => {
  const todo = todos.find((candidate) => candidate.id === Number(request.params.id));
  return todo ?? reply.code(404).send({ error: 'not found' });
});
app.post(
  '/todos',
  {
    schema: {
      body: {
        type: 'object',
        required: ['title'],
        additionalProperties: false,
        properties: { title: { type: 'string', minLength: 1 }, done: { type: 'boolean' } },
      },
    },
  },
  async (request, reply) => {
    const todo = { id: todos.length + 1, done: false, ...request.body };
    todos.push(todo);
    return reply.code(201).send(todo);
  },
);

await app.listen({ port, host: '127.0.0.1' });
