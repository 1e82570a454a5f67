// The embedded platform needs Node 24 (.nvmrc, package.json engines, the Lambda runtime):
// aws-local-stepfunctions uses Promise.withResolvers and the AWS SDK drops older Nodes in 2027.
// npm only warns about `engines`; say it plainly before anything starts half-way.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`oneseal: Node 24 or newer is needed, this is Node ${process.versions.node}. Use the version in .nvmrc (nvm use), or run bash .ci/run, which installs it into .tools/.`);
  process.exit(1);
}
export {};
