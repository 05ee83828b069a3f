#!/bin/sh
# test/sandbox/awscli.test.ts drives the sandbox with Debian's AWS CLI (botocore: a client other
# than the SDK v3 the project uses), run by its path /usr/bin/aws, since another `aws` earlier on
# PATH (pip, pyenv) would be another version. Run by npm test's pretest.
exec sh "$(dirname "$0")/ensure-debian-package.sh" awscli /usr/bin/aws 'the AWS CLI test'
