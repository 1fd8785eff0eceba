/** The client facade the commands use to start, follow, read and cancel deployments and fleet runs. */
package dev.flaredeploy.cli.client;
